using Moat.Segments.Segments;

namespace Moat.Indexer.SegmentStore;

/// <summary>
/// Opened segments by key, bounded by their unsealed bytes; least recently used go first. Segments
/// are immutable, so an entry is never stale.
/// </summary>
internal sealed class SegmentCache(long capacityBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (SegmentReader Reader, long Bytes, long LastUse)> _entries = new(StringComparer.Ordinal);
    private long _bytes;
    private long _clock;

    public bool TryGet(string key, out SegmentReader reader)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = entry with { LastUse = ++_clock };
                reader = entry.Reader;
                return true;
            }
        }

        reader = null!;
        return false;
    }

    public void Add(string key, SegmentReader reader, long bytes)
    {
        if (bytes > capacityBytes)
        {
            return;
        }

        lock (_gate)
        {
            if (_entries.Remove(key, out var old))
            {
                _bytes -= old.Bytes;
            }

            while (_bytes + bytes > capacityBytes && _entries.Count > 0)
            {
                var oldest = _entries.MinBy(e => e.Value.LastUse);
                _entries.Remove(oldest.Key);
                _bytes -= oldest.Value.Bytes;
            }

            _entries[key] = (reader, bytes, ++_clock);
            _bytes += bytes;
        }
    }
}
