using Moat.Internal.V1;
using Moat.V1;

namespace Moat.Write.Writes;

/// <summary>
/// A write that passed validation: its operations in application order (ids normalized), the
/// response it will be acknowledged with (counts, affected ids), and the schema it adds to the
/// namespace (an id kind inferred from its first id, attributes inferred from their values).
/// </summary>
internal sealed record ValidatedWrite(
    IReadOnlyList<WalOperation> Operations,
    WriteResponse Response,
    IdKind InferredIdKind,
    IReadOnlyDictionary<string, AttributeType> NewAttributes)
{
    public bool AddsSchema => InferredIdKind != IdKind.Unspecified || NewAttributes.Count > 0;
}
