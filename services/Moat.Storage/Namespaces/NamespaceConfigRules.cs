using System.Text.RegularExpressions;
using Moat.V1;

namespace Moat.Storage.Namespaces;

/// <summary>One invalid part of a namespace config, named by its field path (e.g. <c>config.vectors[emb].dimensions</c>).</summary>
public sealed record NamespaceConfigViolation(string Field, string Description);

/// <summary>
/// The rules a namespace config must meet (docs/namespaces.md), in one place for every door that
/// creates a namespace (the gateway before it reserves a name, the write service's InitNamespace),
/// plus the canonical form that is stored and the "same config" test of an idempotent create.
/// </summary>
public static partial class NamespaceConfigRules
{
    /// <summary>Most vector columns per namespace.</summary>
    public const int MaxVectorColumns = 16;

    /// <summary>Most dimensions of a vector column.</summary>
    public const uint MaxDimensions = 4096;

    /// <summary>Most declared attributes per namespace.</summary>
    public const int MaxAttributes = 1024;

    /// <summary>Namespace names (DESIGN section 3).</summary>
    /// <summary>The schema type an attribute value has; <see cref="AttributeType.Unspecified"/> for a null value.</summary>
    public static AttributeType TypeOf(AttributeValue value) => value.ValueCase switch
    {
        AttributeValue.ValueOneofCase.BoolValue => AttributeType.Bool,
        AttributeValue.ValueOneofCase.IntValue => AttributeType.Int64,
        AttributeValue.ValueOneofCase.UintValue => AttributeType.Uint64,
        AttributeValue.ValueOneofCase.DoubleValue => AttributeType.Double,
        AttributeValue.ValueOneofCase.StringValue => AttributeType.String,
        AttributeValue.ValueOneofCase.UuidValue => AttributeType.Uuid,
        AttributeValue.ValueOneofCase.DatetimeValue => AttributeType.Datetime,
        AttributeValue.ValueOneofCase.StringList => AttributeType.StringList,
        AttributeValue.ValueOneofCase.IntList => AttributeType.Int64List,
        AttributeValue.ValueOneofCase.UintList => AttributeType.Uint64List,
        AttributeValue.ValueOneofCase.DoubleList => AttributeType.DoubleList,
        AttributeValue.ValueOneofCase.BoolList => AttributeType.BoolList,
        AttributeValue.ValueOneofCase.UuidList => AttributeType.UuidList,
        AttributeValue.ValueOneofCase.DatetimeList => AttributeType.DatetimeList,
        _ => AttributeType.Unspecified,
    };

    public static bool IsValidNamespaceName(string name) => NamespaceName().IsMatch(name);

    /// <summary>Attribute names: <c>[A-Za-z0-9_.-]{1,128}</c>, not <c>id</c> (reserved for the document id).</summary>
    public static bool IsValidAttributeName(string name) => AttributeName().IsMatch(name) && name != "id";

    /// <summary>Vector column names: <c>[A-Za-z0-9_]{1,64}</c>.</summary>
    public static bool IsValidColumnName(string name) => ColumnName().IsMatch(name);

    /// <summary>Every violation of <paramref name="config"/> (null = an empty config, which is valid), with paths under <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<NamespaceConfigViolation> Validate(NamespaceConfig? config, string prefix)
    {
        var violations = new List<NamespaceConfigViolation>();
        if (config is null)
        {
            return violations;
        }

        if (!Enum.IsDefined(config.IdKind))
        {
            violations.Add(new($"{prefix}.id_kind", "not an IdKind"));
        }

        if (config.Vectors.Count > MaxVectorColumns)
        {
            violations.Add(new($"{prefix}.vectors", $"at most {MaxVectorColumns} vector columns"));
        }

        foreach (var (name, column) in config.Vectors.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var path = $"{prefix}.vectors[{name}]";
            if (!IsValidColumnName(name))
            {
                violations.Add(new(path, "a column name is 1 to 64 of [A-Za-z0-9_]"));
            }

            if (column is null)
            {
                violations.Add(new(path, "required"));
                continue;
            }

            if (column.Dimensions is 0 or > MaxDimensions)
            {
                violations.Add(new($"{path}.dimensions", $"must be between 1 and {MaxDimensions}"));
            }

            if (!Enum.IsDefined(column.ElementType))
            {
                violations.Add(new($"{path}.element_type", "must be F32 or F16"));
            }

            if (column.Metric is not (DistanceMetric.Cosine or DistanceMetric.Euclidean or DistanceMetric.Dot))
            {
                violations.Add(new($"{path}.metric", "must be COSINE, EUCLIDEAN or DOT"));
            }
        }

        if (config.Attributes.Count > MaxAttributes)
        {
            violations.Add(new($"{prefix}.attributes", $"at most {MaxAttributes} attributes"));
        }

        foreach (var (name, schema) in config.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var path = $"{prefix}.attributes[{name}]";
            if (!IsValidAttributeName(name))
            {
                violations.Add(new(path, "an attribute name is 1 to 128 of [A-Za-z0-9_.-] and not \"id\""));
            }

            if (schema is null)
            {
                violations.Add(new(path, "required"));
                continue;
            }

            if (!Enum.IsDefined(schema.Type))
            {
                violations.Add(new($"{path}.type", "not an AttributeType"));
            }

            if (schema.FullText is { } text)
            {
                ValidateFullText(violations, $"{path}.full_text", schema.Type, text);
            }
        }

        if (config.Encryption is { KeyId.Length: > 0 } encryption && !KeyId().IsMatch(encryption.KeyId))
        {
            violations.Add(new($"{prefix}.encryption.key_id", "a key id is 1 to 128 of [A-Za-z0-9_.-]"));
        }

        return violations;
    }

    /// <summary>The stored form: defaults made explicit (element type F32, encryption present).</summary>
    public static NamespaceConfig Canonical(NamespaceConfig? config)
    {
        var canonical = config?.Clone() ?? new NamespaceConfig();
        foreach (var column in canonical.Vectors.Values)
        {
            if (column.ElementType == VectorElementType.Unspecified)
            {
                column.ElementType = VectorElementType.F32;
            }
        }

        canonical.Encryption ??= new EncryptionConfig();
        return canonical;
    }

    /// <summary>
    /// Whether a create asking for <paramref name="requested"/> is satisfied by the stored config: the
    /// same id kind (or none asked), the same vector columns and key, and every requested attribute
    /// stored with the same schema (writes may have added more; a requested attribute without a type
    /// matches any stored type).
    /// </summary>
    public static bool IsSatisfiedBy(NamespaceConfig? requested, NamespaceConfig stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var want = Canonical(requested);
        var have = Canonical(stored);
        if (want.IdKind != IdKind.Unspecified && want.IdKind != have.IdKind)
        {
            return false;
        }

        if (!want.Vectors.Equals(have.Vectors) || want.Encryption.KeyId != have.Encryption.KeyId)
        {
            return false;
        }

        foreach (var (name, schema) in want.Attributes)
        {
            if (!have.Attributes.TryGetValue(name, out var stored1))
            {
                return false;
            }

            var compare = schema.Clone();
            if (compare.Type == AttributeType.Unspecified)
            {
                compare.Type = stored1.Type;
            }

            if (!compare.Equals(stored1))
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateFullText(List<NamespaceConfigViolation> violations, string path, AttributeType type, FullTextOptions text)
    {
        if (type is not (AttributeType.String or AttributeType.StringList))
        {
            violations.Add(new(path, "full-text options need type STRING or STRING_LIST"));
        }

        if (!Enum.IsDefined(text.Tokenizer))
        {
            violations.Add(new($"{path}.tokenizer", "not a Tokenizer"));
        }
        else if (text.Tokenizer == Tokenizer.PreTokenized && type != AttributeType.StringList)
        {
            violations.Add(new($"{path}.tokenizer", "PRE_TOKENIZED needs type STRING_LIST"));
        }

        if (text.Language.Length > 0 && !Language().IsMatch(text.Language))
        {
            violations.Add(new($"{path}.language", "an ISO 639-1 code of two lower-case letters, or empty"));
        }

        if (text.HasK1 && !(double.IsFinite(text.K1) && text.K1 >= 0))
        {
            violations.Add(new($"{path}.k1", "must be a finite number >= 0"));
        }

        if (text.HasB && !(text.B >= 0 && text.B <= 1))
        {
            violations.Add(new($"{path}.b", "must be between 0 and 1"));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex NamespaceName();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex AttributeName();

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex ColumnName();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex KeyId();

    [GeneratedRegex("^[a-z]{2}$")]
    private static partial Regex Language();
}
