namespace Moat.Storage.ObjectStore;

/// <summary>When a put may replace what is stored.</summary>
public enum PutConditionKind
{
    /// <summary>Always: create or replace.</summary>
    None = 0,

    /// <summary>Only when no object has the key (S3 <c>If-None-Match: *</c>, GCS <c>ifGenerationMatch=0</c>).</summary>
    IfAbsent = 1,

    /// <summary>Only when the stored object's ETag equals the given one (S3 <c>If-Match</c>): compare-and-swap.</summary>
    IfMatch = 2,
}
