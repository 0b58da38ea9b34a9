using System.Text;
using System.Text.RegularExpressions;

namespace Moat.Search;

/// <summary>A predicate checked once per query: operand elements (strings also as UTF-8), compiled glob or regex.</summary>
internal sealed class PreparedPredicate
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(2);

    public PreparedPredicate(Predicate predicate, string path)
    {
        Predicate = predicate;
        Path = path;
        var op = predicate.Op;
        if (string.IsNullOrEmpty(predicate.Attribute))
        {
            throw new SearchQueryException(path + ".attribute", "A predicate names no attribute.");
        }

        if (!Enum.IsDefined(op))
        {
            throw new SearchQueryException(path + ".op", $"Unknown filter operator {(int)op}.");
        }

        var operand = predicate.Operand;
        var valuePath = path + ".value";
        if (operand is null && op is not (FilterOp.Eq or FilterOp.NotEq))
        {
            throw new SearchQueryException(valuePath, $"{op} needs a value; only Eq and NotEq take null.");
        }

        if (operand is not null)
        {
            foreach (var e in operand.Elements)
            {
                if (e.Kind == ValueKind.Double && double.IsNaN(e.AsDouble))
                {
                    throw new SearchQueryException(valuePath, "NaN is not a filter value.");
                }
            }

            var needsScalar = op is FilterOp.Lt or FilterOp.Lte or FilterOp.Gt or FilterOp.Gte or FilterOp.AnyLt or FilterOp.AnyLte
                or FilterOp.AnyGt or FilterOp.AnyGte or FilterOp.Contains or FilterOp.NotContains
                or FilterOp.Glob or FilterOp.NotGlob or FilterOp.IGlob or FilterOp.NotIGlob or FilterOp.Regex;
            if (needsScalar && operand.IsList)
            {
                throw new SearchQueryException(valuePath, $"{op} takes a single value, not a list.");
            }

            var needsString = op is FilterOp.Glob or FilterOp.NotGlob or FilterOp.IGlob or FilterOp.NotIGlob or FilterOp.Regex
                or FilterOp.ContainsAllTokens or FilterOp.ContainsAnyToken or FilterOp.ContainsTokenSequence;
            if (needsString && operand.Kind != ValueKind.String)
            {
                throw new SearchQueryException(valuePath, $"{op} takes a string{(op >= FilterOp.ContainsAllTokens ? " or a list of strings" : string.Empty)}.");
            }

            Elements = [.. operand.Elements];
            Utf8 = operand.Kind == ValueKind.String ? Elements.Select(e => Encoding.UTF8.GetBytes(e.AsString)).ToArray() : [];
            switch (op)
            {
                case FilterOp.Glob or FilterOp.NotGlob:
                    Glob = new GlobPattern(operand.Scalar.AsString, ignoreCase: false);
                    break;
                case FilterOp.IGlob or FilterOp.NotIGlob:
                    Glob = new GlobPattern(operand.Scalar.AsString, ignoreCase: true);
                    break;
                case FilterOp.Regex:
                    try
                    {
                        Regex = new Regex(operand.Scalar.AsString, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, RegexTimeout);
                    }
                    catch (Exception e) when (e is ArgumentException or NotSupportedException)
                    {
                        throw new SearchQueryException(valuePath, $"Invalid regular expression: {e.Message}");
                    }

                    break;
            }
        }
    }

    public Predicate Predicate { get; }

    public string Path { get; }

    public string Attribute => Predicate.Attribute;

    public FilterOp Op => Predicate.Op;

    /// <summary>Operand elements (one for a scalar); empty for null.</summary>
    public ScalarValue[] Elements { get; } = [];

    /// <summary>UTF-8 of string elements (same order).</summary>
    public byte[][] Utf8 { get; } = [];

    public GlobPattern? Glob { get; }

    public Regex? Regex { get; }

    public bool IsNullOperand => Predicate.Operand is null;

    /// <summary>True when an operand element of kind <paramref name="operand"/> compares with elements of kind <paramref name="column"/>.</summary>
    public static bool Comparable(ValueKind column, ValueKind operand) =>
        column == operand
        || (IsNumber(column) && IsNumber(operand))
        || (column == ValueKind.DateTime && operand == ValueKind.Int64);

    private static bool IsNumber(ValueKind k) => k is ValueKind.Int64 or ValueKind.UInt64 or ValueKind.Double;
}
