namespace Moat.Audit;

/// <summary>One broken link: which writer (null for checkpoints), which sequence (record, batch, digest or checkpoint number, as <see cref="What"/> says), what.</summary>
public sealed record AuditBrokenLink(string? Writer, long Sequence, AuditLinkFailure What, string Detail)
{
    public override string ToString() => $"{Writer ?? "(checkpoints)"} #{Sequence}: {What}: {Detail}";
}
