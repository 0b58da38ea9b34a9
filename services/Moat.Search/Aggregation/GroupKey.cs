namespace Moat.Search;

/// <summary>A group's key: one value (or null = missing) per group_by attribute; ordered value by value, missing last.</summary>
internal sealed class GroupKey(ScalarValue?[] parts) : IEquatable<GroupKey>, IComparable<GroupKey>
{
    public ScalarValue?[] Parts { get; } = parts;

    public bool Equals(GroupKey? other)
    {
        if (other is null)
        {
            return false;
        }

        for (var i = 0; i < Parts.Length; i++)
        {
            if (!Nullable.Equals(Parts[i], other.Parts[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is GroupKey k && Equals(k);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var p in Parts)
        {
            h.Add(p);
        }

        return h.ToHashCode();
    }

    public int CompareTo(GroupKey? other)
    {
        if (other is null)
        {
            return 1;
        }

        for (var i = 0; i < Parts.Length; i++)
        {
            var a = Parts[i];
            var b = other.Parts[i];
            if (a is null != b is null)
            {
                return a is null ? 1 : -1;
            }

            if (a is not null)
            {
                var c = ScalarValue.Compare(a.Value, b!.Value);
                if (c != 0)
                {
                    return c;
                }
            }
        }

        return 0;
    }
}
