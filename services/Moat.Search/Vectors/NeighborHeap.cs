namespace Moat.Search.Vectors;

/// <summary>
/// The k nearest seen so far: a max-heap on (distance, row), so the worst is at the top and a
/// candidate is kept only when it beats it. No allocation after construction.
/// </summary>
public sealed class NeighborHeap
{
    private readonly Neighbor[] items;

    public NeighborHeap(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        items = new Neighbor[capacity];
    }

    public int Count { get; private set; }

    public int Capacity => items.Length;

    public bool IsFull => Count == items.Length;

    /// <summary>Distance a candidate must beat once full (+∞ before).</summary>
    public float Bound => IsFull ? items[0].Distance : float.PositiveInfinity;

    public void Clear() => Count = 0;

    public void Push(int row, float distance)
    {
        if (float.IsNaN(distance))
        {
            return;
        }

        if (Count < items.Length)
        {
            items[Count] = new Neighbor(row, distance);
            SiftUp(Count++);
        }
        else if (Less(new Neighbor(row, distance), items[0]))
        {
            items[0] = new Neighbor(row, distance);
            SiftDown(0);
        }
    }

    /// <summary>Writes the neighbours ascending into <paramref name="destination"/> and empties the heap; returns the count.</summary>
    public int Drain(Span<Neighbor> destination)
    {
        var n = Count;
        var span = items.AsSpan(0, n);
        span.Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Row.CompareTo(b.Row));
        span[..Math.Min(n, destination.Length)].CopyTo(destination);
        Count = 0;
        return Math.Min(n, destination.Length);
    }

    private static bool Less(Neighbor a, Neighbor b) => a.Distance < b.Distance || (a.Distance == b.Distance && a.Row < b.Row);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Less(items[parent], items[i]))
            {
                break;
            }

            (items[parent], items[i]) = (items[i], items[parent]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        var n = Count;
        while (true)
        {
            var l = (2 * i) + 1;
            if (l >= n)
            {
                break;
            }

            var r = l + 1;
            var worst = r < n && Less(items[l], items[r]) ? r : l;
            if (!Less(items[i], items[worst]))
            {
                break;
            }

            (items[i], items[worst]) = (items[worst], items[i]);
            i = worst;
        }
    }
}
