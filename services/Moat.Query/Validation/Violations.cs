using Moat.Hosting.Errors;
using Moat.V1;

namespace Moat.Query.Validation;

/// <summary>
/// Collects every field violation of a request so the caller gets them all at once. When all share
/// one specific reason (e.g. DIMENSION_MISMATCH) that reason is reported, else INVALID_ARGUMENT.
/// </summary>
internal sealed class Violations
{
    private readonly List<FieldViolation> _items = [];
    private readonly HashSet<ErrorReason> _reasons = [];

    public bool Any => _items.Count > 0;

    public void Add(string field, string description, ErrorReason reason = ErrorReason.InvalidArgument)
    {
        _items.Add(new FieldViolation(field, description));
        _reasons.Add(reason);
    }

    public void ThrowIfAny()
    {
        if (_items.Count == 0)
        {
            return;
        }

        var reason = _reasons.Count == 1 ? _reasons.First() : ErrorReason.InvalidArgument;
        throw new MoatValidationException(_items, reason, null);
    }
}
