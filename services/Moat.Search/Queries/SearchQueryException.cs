namespace Moat.Search;

/// <summary>
/// A query the engine cannot run as given (unknown column, wrong operand type, dimension mismatch,
/// top_k out of range, ...). <see cref="Field"/> is the path of the offending field in QuerySpec
/// terms (e.g. "filter.and_filter.filters[1].predicate.value"), for BadRequest field violations.
/// </summary>
public sealed class SearchQueryException : Exception
{
    public SearchQueryException(string field, string message, string reason = "INVALID_ARGUMENT")
        : base(message)
    {
        Field = field;
        Reason = reason;
    }

    public SearchQueryException()
        : this(string.Empty, "Invalid query.")
    {
    }

    public SearchQueryException(string message)
        : this(string.Empty, message)
    {
    }

    public SearchQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
        Reason = "INVALID_ARGUMENT";
    }

    public string Field { get; }

    /// <summary>A stable reason: INVALID_ARGUMENT, or DIMENSION_MISMATCH for a wrong-length query vector.</summary>
    public string Reason { get; }
}
