namespace Moat.Storage.ObjectStore;

/// <summary>The condition of a put: <see cref="None"/>, <see cref="IfAbsent"/> or <see cref="IfMatch"/>.</summary>
public sealed record PutCondition
{
    private PutCondition(PutConditionKind kind, string? etag)
    {
        Kind = kind;
        ETag = etag;
    }

    /// <summary>Create or replace unconditionally.</summary>
    public static PutCondition None { get; } = new(PutConditionKind.None, null);

    /// <summary>Create only if the key is absent.</summary>
    public static PutCondition IfAbsent { get; } = new(PutConditionKind.IfAbsent, null);

    public PutConditionKind Kind { get; }

    /// <summary>The expected ETag for <see cref="PutConditionKind.IfMatch"/>; null otherwise.</summary>
    public string? ETag { get; }

    /// <summary>Whether the put only happens when a condition holds (and so is not blindly retryable).</summary>
    public bool IsConditional => Kind != PutConditionKind.None;

    /// <summary>Replace only if the stored object's ETag is <paramref name="etag"/>.</summary>
    public static PutCondition IfMatch(string etag)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return new(PutConditionKind.IfMatch, etag);
    }

    public override string ToString() => Kind switch
    {
        PutConditionKind.IfAbsent => "if-absent",
        PutConditionKind.IfMatch => $"if-match {ETag}",
        _ => "unconditional",
    };
}
