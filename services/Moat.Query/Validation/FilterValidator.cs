using Moat.V1;

namespace Moat.Query.Validation;

/// <summary>
/// Checks a filter tree against the schema: known, filterable attributes, an operator that fits the
/// attribute's type, and an operand of the matching type (scalar or list). Incoming values belong to
/// write conditions and are refused here.
/// </summary>
internal static class FilterValidator
{
    public const int MaxDepth = 16;
    public const int MaxNodes = 1024;

    public static void Validate(Filter filter, NamespaceConfig schema, string path, Violations violations)
    {
        var nodes = 0;
        Visit(filter, schema, path, violations, 0, ref nodes);
        if (nodes > MaxNodes)
        {
            violations.Add(path, $"has {nodes} nodes; at most {MaxNodes}");
        }
    }

    private static void Visit(Filter filter, NamespaceConfig schema, string path, Violations violations, int depth, ref int nodes)
    {
        nodes++;
        if (depth > MaxDepth)
        {
            violations.Add(path, $"nests deeper than {MaxDepth} levels");
            return;
        }

        switch (filter.NodeCase)
        {
            case Filter.NodeOneofCase.None:
                return;
            case Filter.NodeOneofCase.AndFilter:
                for (var i = 0; i < filter.AndFilter.Filters.Count; i++)
                {
                    Visit(filter.AndFilter.Filters[i], schema, $"{path}.and_filter.filters[{i}]", violations, depth + 1, ref nodes);
                }

                return;
            case Filter.NodeOneofCase.OrFilter:
                for (var i = 0; i < filter.OrFilter.Filters.Count; i++)
                {
                    Visit(filter.OrFilter.Filters[i], schema, $"{path}.or_filter.filters[{i}]", violations, depth + 1, ref nodes);
                }

                return;
            case Filter.NodeOneofCase.NotFilter:
                Visit(filter.NotFilter, schema, $"{path}.not_filter", violations, depth + 1, ref nodes);
                return;
            case Filter.NodeOneofCase.Predicate:
                ValidatePredicate(filter.Predicate, schema, $"{path}.predicate", violations);
                return;
        }
    }

    private static void ValidatePredicate(Predicate predicate, NamespaceConfig schema, string path, Violations violations)
    {
        if (predicate.Op == FilterOperator.Unspecified)
        {
            violations.Add($"{path}.op", "required");
            return;
        }

        if (predicate.OperandCase == Predicate.OperandOneofCase.Incoming)
        {
            violations.Add($"{path}.incoming", "incoming values are only allowed in write conditions");
            return;
        }

        AttributeType type;
        var fullText = false;
        if (predicate.Attribute == "id")
        {
            type = schema.IdKind switch
            {
                IdKind.U64 => AttributeType.Uint64,
                IdKind.Uuid => AttributeType.Uuid,
                _ => AttributeType.String,
            };
        }
        else if (!schema.Attributes.TryGetValue(predicate.Attribute, out var attr))
        {
            violations.Add($"{path}.attribute", predicate.Attribute.Length == 0 ? "required" : $"unknown attribute '{predicate.Attribute}'");
            return;
        }
        else
        {
            type = attr.Type;
            fullText = attr.FullText is not null;
            if (attr.HasFilterable && !attr.Filterable && !IsTokenOperator(predicate.Op))
            {
                violations.Add($"{path}.attribute", $"attribute '{predicate.Attribute}' is not filterable", ErrorReason.AttributeNotFilterable);
                return;
            }
        }

        var value = predicate.Value;
        var valueCase = value?.ValueCase ?? AttributeValue.ValueOneofCase.None;
        var isNull = SchemaTypes.IsNull(value);
        var isList = SchemaTypes.IsList(type);
        var element = SchemaTypes.Element(type);
        var at = $"{path}.value";
        string Expected(string what) => $"{FilterName(predicate.Op)} on {SchemaTypes.Name(type)} '{predicate.Attribute}' needs {what}";

        switch (predicate.Op)
        {
            case FilterOperator.Eq:
            case FilterOperator.NotEq:
                if (!isNull && !(isList ? SchemaTypes.ListFits(valueCase, element) : SchemaTypes.ScalarFits(valueCase, type)))
                {
                    Mismatch(violations, at, Expected(isList ? "a list of its element type or null" : "a value of its type or null"));
                }

                break;
            case FilterOperator.In:
            case FilterOperator.NotIn:
                if (isList || !SchemaTypes.ListFits(valueCase, type))
                {
                    Mismatch(violations, at, Expected(isList ? "a scalar attribute (use CONTAINS_ANY on lists)" : "a list of its type"));
                }

                break;
            case FilterOperator.Lt:
            case FilterOperator.Lte:
            case FilterOperator.Gt:
            case FilterOperator.Gte:
                if (isList || type == AttributeType.Bool || !SchemaTypes.ScalarFits(valueCase, type))
                {
                    Mismatch(violations, at, Expected(isList ? "a scalar attribute (use ANY_* on lists)" : type == AttributeType.Bool ? "an ordered type" : "a value of its type"));
                }

                break;
            case FilterOperator.AnyLt:
            case FilterOperator.AnyLte:
            case FilterOperator.AnyGt:
            case FilterOperator.AnyGte:
            case FilterOperator.Contains:
            case FilterOperator.NotContains:
                if (!isList || !SchemaTypes.ScalarFits(valueCase, element))
                {
                    Mismatch(violations, at, Expected(isList ? "a scalar of its element type" : "a list attribute"));
                }

                break;
            case FilterOperator.ContainsAny:
            case FilterOperator.NotContainsAny:
                if (!isList || !SchemaTypes.ListFits(valueCase, element))
                {
                    Mismatch(violations, at, Expected(isList ? "a list of its element type" : "a list attribute"));
                }

                break;
            case FilterOperator.Glob:
            case FilterOperator.NotGlob:
            case FilterOperator.Iglob:
            case FilterOperator.NotIglob:
            case FilterOperator.Regex:
                if (type != AttributeType.String || valueCase != AttributeValue.ValueOneofCase.StringValue)
                {
                    Mismatch(violations, at, Expected("a STRING attribute and a string pattern"));
                }

                break;
            case FilterOperator.ContainsAllTokens:
            case FilterOperator.ContainsAnyToken:
            case FilterOperator.ContainsTokenSequence:
                if (!fullText)
                {
                    violations.Add($"{path}.attribute", $"attribute '{predicate.Attribute}' has no full-text options", ErrorReason.AttributeNotFullText);
                }
                else if (valueCase is not (AttributeValue.ValueOneofCase.StringValue or AttributeValue.ValueOneofCase.StringList))
                {
                    Mismatch(violations, at, Expected("a string or a list of tokens"));
                }

                break;
            default:
                violations.Add($"{path}.op", $"unknown operator {(int)predicate.Op}");
                break;
        }
    }

    private static bool IsTokenOperator(FilterOperator op) =>
        op is FilterOperator.ContainsAllTokens or FilterOperator.ContainsAnyToken or FilterOperator.ContainsTokenSequence;

    private static void Mismatch(Violations violations, string field, string description) =>
        violations.Add(field, description, ErrorReason.AttributeTypeMismatch);

    private static string FilterName(FilterOperator op) => op.ToString().ToUpperInvariant();
}
