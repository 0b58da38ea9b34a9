using Moat.V1;

namespace Moat.Query.Validation;

/// <summary>
/// Checks a <see cref="QuerySpec"/> against a namespace's effective schema (its config plus the
/// attributes writes added) before anything is read: ranges, vector dimensions, unknown attributes,
/// filter operand types. Field paths name the request field, e.g. <c>query.filter.predicate.value</c>.
/// </summary>
internal static class QuerySpecValidator
{
    public const uint DefaultTopK = 10;
    public const uint MaxTopK = 10_000;

    public static void Validate(QuerySpec spec, NamespaceConfig schema, string path, Violations violations)
    {
        if (spec.TopK > MaxTopK)
        {
            violations.Add($"{path}.top_k", $"must be between 1 and {MaxTopK} (0 = {DefaultTopK})");
        }

        if (spec.RankBy is { } rank)
        {
            ValidateRank(rank, schema, $"{path}.rank_by", violations);
        }

        if (spec.Filter is { } filter)
        {
            FilterValidator.Validate(filter, schema, $"{path}.filter", violations);
        }

        if (spec.Projection is { } projection)
        {
            ValidateProjection(projection, schema, $"{path}.projection", violations);
        }

        ValidateAggregates(spec, schema, path, violations);
    }

    private static void ValidateRank(RankBy rank, NamespaceConfig schema, string path, Violations violations)
    {
        switch (rank.RankCase)
        {
            case RankBy.RankOneofCase.Vector:
                ValidateVectorRank(rank.Vector, schema, $"{path}.vector", violations);
                break;
            case RankBy.RankOneofCase.Text:
                ValidateTextRank(rank.Text, schema, $"{path}.text", violations, depth: 0);
                break;
            case RankBy.RankOneofCase.OrderBy:
                var attribute = rank.OrderBy.Attribute;
                if (attribute != "id")
                {
                    if (!schema.Attributes.TryGetValue(attribute, out var attr))
                    {
                        violations.Add($"{path}.order_by.attribute", $"unknown attribute '{attribute}'");
                    }
                    else if (SchemaTypes.IsList(attr.Type))
                    {
                        violations.Add($"{path}.order_by.attribute", "order by needs a scalar attribute, not a list");
                    }
                    else if (attr.HasFilterable && !attr.Filterable)
                    {
                        violations.Add($"{path}.order_by.attribute", $"attribute '{attribute}' is not filterable", ErrorReason.AttributeNotFilterable);
                    }
                }

                break;
        }
    }

    private static void ValidateVectorRank(VectorRank rank, NamespaceConfig schema, string path, Violations violations)
    {
        if (!schema.Vectors.TryGetValue(rank.Column, out var column))
        {
            violations.Add($"{path}.column", rank.Column.Length == 0 ? "required" : $"unknown vector column '{rank.Column}'");
            return;
        }

        var vector = rank.Vector;
        if (vector is null || (vector.Values.Count == 0 && vector.F16.IsEmpty))
        {
            violations.Add($"{path}.vector", "required");
            return;
        }

        if (vector.Values.Count > 0 && !vector.F16.IsEmpty)
        {
            violations.Add($"{path}.vector", "give either values or f16, not both");
            return;
        }

        var dims = vector.Values.Count > 0 ? vector.Values.Count : vector.F16.Length / 2;
        if (!vector.F16.IsEmpty && vector.F16.Length % 2 != 0)
        {
            violations.Add($"{path}.vector.f16", "f16 must hold 2 bytes per element");
        }
        else if (dims != column.Dimensions)
        {
            violations.Add($"{path}.vector", $"has {dims} dimensions; column '{rank.Column}' has {column.Dimensions}", ErrorReason.DimensionMismatch);
        }
        else
        {
            foreach (var value in vector.Values)
            {
                if (!float.IsFinite(value))
                {
                    violations.Add($"{path}.vector.values", "elements must be finite numbers");
                    break;
                }
            }
        }
    }

    private static void ValidateTextRank(TextRank rank, NamespaceConfig schema, string path, Violations violations, int depth)
    {
        if (depth > 8)
        {
            violations.Add(path, "text rank nests deeper than 8 levels");
            return;
        }

        switch (rank.ExprCase)
        {
            case TextRank.ExprOneofCase.Bm25:
                var attribute = rank.Bm25.Attribute;
                if (!schema.Attributes.TryGetValue(attribute, out var attr))
                {
                    violations.Add($"{path}.bm25.attribute", attribute.Length == 0 ? "required" : $"unknown attribute '{attribute}'");
                }
                else if (attr.FullText is null)
                {
                    violations.Add($"{path}.bm25.attribute", $"attribute '{attribute}' has no full-text options", ErrorReason.AttributeNotFullText);
                }

                if (rank.Bm25.Query.Length == 0)
                {
                    violations.Add($"{path}.bm25.query", "required");
                }

                break;
            case TextRank.ExprOneofCase.Sum:
            case TextRank.ExprOneofCase.Max:
                var list = rank.ExprCase == TextRank.ExprOneofCase.Sum ? rank.Sum : rank.Max;
                var name = rank.ExprCase == TextRank.ExprOneofCase.Sum ? "sum" : "max";
                if (list.Terms.Count == 0)
                {
                    violations.Add($"{path}.{name}.terms", "needs at least one term");
                }

                for (var i = 0; i < list.Terms.Count; i++)
                {
                    ValidateTextRank(list.Terms[i], schema, $"{path}.{name}.terms[{i}]", violations, depth + 1);
                }

                break;
            case TextRank.ExprOneofCase.Product:
                if (!(rank.Product.Weight > 0) || !double.IsFinite(rank.Product.Weight))
                {
                    violations.Add($"{path}.product.weight", "must be a finite number > 0");
                }

                if (rank.Product.Term is null)
                {
                    violations.Add($"{path}.product.term", "required");
                }
                else
                {
                    ValidateTextRank(rank.Product.Term, schema, $"{path}.product.term", violations, depth + 1);
                }

                break;
            default:
                violations.Add(path, "set one of bm25, sum, max, product");
                break;
        }
    }

    private static void ValidateProjection(Projection projection, NamespaceConfig schema, string path, Violations violations)
    {
        for (var i = 0; i < projection.IncludeAttributes.Count; i++)
        {
            var name = projection.IncludeAttributes[i];
            if (name != "id" && !schema.Attributes.ContainsKey(name))
            {
                violations.Add($"{path}.include_attributes[{i}]", $"unknown attribute '{name}'");
            }
        }

        for (var i = 0; i < projection.IncludeVectors.Count; i++)
        {
            if (!schema.Vectors.ContainsKey(projection.IncludeVectors[i]))
            {
                violations.Add($"{path}.include_vectors[{i}]", $"unknown vector column '{projection.IncludeVectors[i]}'");
            }
        }
    }

    private static void ValidateAggregates(QuerySpec spec, NamespaceConfig schema, string path, Violations violations)
    {
        if (spec.Aggregates.Count == 0)
        {
            if (spec.GroupBy.Count > 0)
            {
                violations.Add($"{path}.group_by", "group_by needs at least one aggregate");
            }

            return;
        }

        if (spec.RankBy is not null && spec.RankBy.RankCase != RankBy.RankOneofCase.None)
        {
            violations.Add($"{path}.rank_by", "must be unset when aggregates are given");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Aggregates.Count; i++)
        {
            var aggregate = spec.Aggregates[i];
            var at = $"{path}.aggregates[{i}]";
            if (aggregate.Name.Length == 0)
            {
                violations.Add($"{at}.name", "required");
            }
            else if (!names.Add(aggregate.Name))
            {
                violations.Add($"{at}.name", $"duplicate aggregate name '{aggregate.Name}'");
            }

            switch (aggregate.FunctionCase)
            {
                case Aggregate.FunctionOneofCase.Count:
                    break;
                case Aggregate.FunctionOneofCase.Sum:
                    var attribute = aggregate.Sum.Attribute;
                    if (!schema.Attributes.TryGetValue(attribute, out var attr))
                    {
                        violations.Add($"{at}.sum.attribute", attribute.Length == 0 ? "required" : $"unknown attribute '{attribute}'");
                    }
                    else if (attr.Type is not (AttributeType.Int64 or AttributeType.Uint64 or AttributeType.Double))
                    {
                        violations.Add($"{at}.sum.attribute", $"attribute '{attribute}' is {SchemaTypes.Name(attr.Type)}; sum needs INT64, UINT64 or DOUBLE", ErrorReason.AttributeTypeMismatch);
                    }

                    break;
                default:
                    violations.Add(at, "set count or sum");
                    break;
            }
        }

        for (var i = 0; i < spec.GroupBy.Count; i++)
        {
            var name = spec.GroupBy[i];
            if (!schema.Attributes.TryGetValue(name, out var attr))
            {
                violations.Add($"{path}.group_by[{i}]", $"unknown attribute '{name}'");
            }
            else if (attr.HasFilterable && !attr.Filterable)
            {
                violations.Add($"{path}.group_by[{i}]", $"attribute '{name}' is not filterable", ErrorReason.AttributeNotFilterable);
            }
        }
    }
}
