using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Moat.Hosting.Errors;
using Moat.Internal.V1;
using Moat.Storage.Namespaces;
using Moat.V1;

namespace Moat.Write.Writes;

/// <summary>
/// The one validator of <see cref="WriteRequest"/> (STYLE habit 6), against the namespace's config
/// and the write limits: every violation is collected with its field path (e.g.
/// <c>upserts[3].vectors[emb]</c>) and thrown together as one <see cref="MoatValidationException"/>,
/// so an invalid write changes nothing. The exception's reason is the first violation's
/// (DIMENSION_MISMATCH, ATTRIBUTE_TYPE_MISMATCH, or INVALID_ARGUMENT). Rules: docs/write.md.
/// </summary>
internal sealed class WriteValidator
{
    private const int MaxStringIdBytes = 1024;
    private readonly WriteLimitsOptions _limits;

    public WriteValidator(IOptions<WriteLimitsOptions> limits)
    {
        _limits = limits.Value;
    }

    /// <summary>Validates and normalizes the write; throws <see cref="MoatValidationException"/> with every violation.</summary>
    /// <param name="emptyAllowed">A write with no operations is valid only when it just created the namespace.</param>
    public ValidatedWrite Validate(WriteRequest request, NamespaceConfig config, bool emptyAllowed)
    {
        var v = new Violations();
        if (request.IdempotencyKey.Length > 0 && !IsValidIdempotencyKey(request.IdempotencyKey))
        {
            v.Add("idempotency_key", "1 to 128 printable ASCII characters");
        }

        var total = request.Upserts.Count + request.Patches.Count + request.Deletes.Count;
        var largest = request.Upserts.Count >= request.Patches.Count && request.Upserts.Count >= request.Deletes.Count ? "upserts"
            : request.Patches.Count >= request.Deletes.Count ? "patches" : "deletes";
        if (total > _limits.MaxOperations)
        {
            v.Add(largest, $"the write has {total} operations (upserts, patches and deletes); at most {_limits.MaxOperations}");
        }

        var size = request.CalculateSize();
        if (size > _limits.MaxRequestBytes)
        {
            v.Add(largest, $"the write is {size} bytes; at most {_limits.MaxRequestBytes}");
        }

        if (total == 0 && !emptyAllowed)
        {
            v.Add("upserts", "a write needs at least one upsert, patch or delete");
        }

        if (v.Count > 0)
        {
            // Over a limit (or empty): the documents are not looked at.
            throw v.ToException();
        }

        var state = new State(config);
        var operations = new List<WalOperation>(total);
        var response = new WriteResponse
        {
            RowsUpserted = (ulong)request.Upserts.Count,
            RowsPatched = (ulong)request.Patches.Count,
            RowsDeleted = (ulong)request.Deletes.Count,
        };
        var affected = request.ReturnAffectedIds ? new AffectedIds() : null;

        // Field paths are only built for violations: a valid write allocates no strings for them.
        for (var i = 0; i < request.Upserts.Count; i++)
        {
            var path = new FieldPath("upserts", i);
            var document = request.Upserts[i];
            var id = ValidateId(v, state, document?.Id, path);
            if (document is null)
            {
                continue;
            }

            ValidateVectors(v, config, document, path);
            ValidateAttributes(v, state, document, path);
            if (id is not null)
            {
                operations.Add(new WalOperation { Upsert = WithId(document, id) });
                affected?.Upserted.Add(id);
            }
        }

        for (var i = 0; i < request.Patches.Count; i++)
        {
            var path = new FieldPath("patches", i);
            var document = request.Patches[i];
            var id = ValidateId(v, state, document?.Id, path);
            if (document is null)
            {
                continue;
            }

            if (document.Vectors.Count > 0)
            {
                v.Add($"{path}.vectors", "a patch changes attributes only; upsert the document to change its vectors");
            }

            ValidateAttributes(v, state, document, path);
            if (id is not null)
            {
                operations.Add(new WalOperation { Patch = WithId(document, id) });
                affected?.Patched.Add(id);
            }
        }

        for (var i = 0; i < request.Deletes.Count; i++)
        {
            var id = ValidateId(v, state, request.Deletes[i], new FieldPath("deletes", i));
            if (id is not null)
            {
                operations.Add(new WalOperation { Delete = id });
                affected?.Deleted.Add(id);
            }
        }

        if (v.Count > 0)
        {
            throw v.ToException();
        }

        response.AffectedIds = affected;
        return new ValidatedWrite(operations, response, config.IdKind == IdKind.Unspecified ? state.IdKind : IdKind.Unspecified, state.NewAttributes);
    }

    public static bool IsValidIdempotencyKey(string key) =>
        key.Length is > 0 and <= 128 && key.All(c => c is >= '!' and <= '~');

    /// <summary>The document itself when its id is already normalized (no copy), else a copy with the normalized id.</summary>
    private static Document WithId(Document document, DocumentId id)
    {
        if (ReferenceEquals(document.Id, id))
        {
            return document;
        }

        var normalized = document.Clone();
        normalized.Id = id;
        return normalized;
    }

    private static DocumentId? ValidateId(Violations v, State state, DocumentId? id, FieldPath path)
    {
        if (id is null || id.IdCase == DocumentId.IdOneofCase.None)
        {
            v.Add(path.Id, "a document id is required");
            return null;
        }

        var kind = id.IdCase switch
        {
            DocumentId.IdOneofCase.U64 => IdKind.U64,
            DocumentId.IdOneofCase.Uuid => IdKind.Uuid,
            _ => IdKind.String,
        };
        var expected = state.IdKind;
        if (expected == IdKind.Unspecified)
        {
            state.IdKind = kind; // the namespace's id kind is set by its first id
        }
        else if (expected != kind)
        {
            v.Add(path.Id, $"the namespace's ids are {KindName(expected)}; this id is {KindName(kind)}");
            return null;
        }

        var normalized = id;
        IdKey key;
        switch (id.IdCase)
        {
            case DocumentId.IdOneofCase.U64:
                key = new IdKey(id.U64, null);
                break;
            case DocumentId.IdOneofCase.Uuid:
                if (!Guid.TryParseExact(id.Uuid, "D", out var guid))
                {
                    v.Add(path.Id, "a UUID id is in canonical form (8-4-4-4-12 hex digits)");
                    return null;
                }

                var canonical = guid.ToString("D");
                if (canonical != id.Uuid)
                {
                    normalized = new DocumentId { Uuid = canonical };
                }

                key = new IdKey(0, canonical);
                break;
            default:
                var bytes = Encoding.UTF8.GetByteCount(id.Text);
                if (bytes is 0 or > MaxStringIdBytes)
                {
                    v.Add(path.Id, $"a string id is 1 to {MaxStringIdBytes} UTF-8 bytes");
                    return null;
                }

                key = new IdKey(0, id.Text);
                break;
        }

        if (!state.Ids.TryAdd(key, path))
        {
            v.Add(path.Id, $"the id appears more than once in the write (also at {state.Ids[key]}); an id may appear once across upserts, patches and deletes");
            return null;
        }

        return normalized;
    }

    private static void ValidateVectors(Violations v, NamespaceConfig config, Document document, FieldPath path)
    {
        foreach (var (column, spec) in config.Vectors)
        {
            if (!document.Vectors.ContainsKey(column))
            {
                v.Add(path.Vector(column), "missing: an upsert gives every vector column of the namespace");
            }
        }

        foreach (var (column, vector) in document.Vectors)
        {
            if (!config.Vectors.TryGetValue(column, out var spec))
            {
                v.Add(path.Vector(column), "the namespace has no such vector column");
                continue;
            }

            var dimensions = (int)spec.Dimensions;
            if (vector is null || (vector.Values.Count == 0 && vector.F16.Length == 0))
            {
                v.Add(path.Vector(column), "the vector is empty");
            }
            else if (vector.Values.Count > 0 && vector.F16.Length > 0)
            {
                v.Add(path.Vector(column), "set values or f16, not both");
            }
            else if (vector.Values.Count > 0)
            {
                if (vector.Values.Count != dimensions)
                {
                    v.DimensionMismatch(path.Vector(column), column, dimensions, vector.Values.Count);
                }
                else if (!AllFinite(vector.Values))
                {
                    v.Add(path.Vector(column), "every element must be a finite number");
                }
            }
            else if (vector.F16.Length % 2 != 0 || vector.F16.Length / 2 != dimensions)
            {
                v.DimensionMismatch(path.Vector(column), column, dimensions, vector.F16.Length / 2);
            }
            else if (!AllFiniteHalf(vector.F16.Span))
            {
                v.Add(path.Vector(column), "every element must be a finite number");
            }
        }
    }

    private void ValidateAttributes(Violations v, State state, Document document, FieldPath path)
    {
        if (document.Attributes.Count > _limits.MaxAttributesPerDocument)
        {
            v.Add($"{path}.attributes", $"at most {_limits.MaxAttributesPerDocument} attributes per document");
            return;
        }

        foreach (var (name, value) in document.Attributes)
        {
            if (!NamespaceConfigRules.IsValidAttributeName(name))
            {
                v.Add(path.Attribute(name), "an attribute name is 1 to 128 of [A-Za-z0-9_.-] and not \"id\"");
                continue;
            }

            var type = TypeOf(value);
            if (type is null)
            {
                continue; // null: missing (an upsert) or removed (a patch)
            }

            var expected = state.TypeOf(name);
            if (expected is { } declared && declared != type)
            {
                v.TypeMismatch(path.Attribute(name), name, declared, type.Value);
                continue;
            }

            if (expected is null)
            {
                state.NewAttributes[name] = type.Value; // undeclared: added with the value's type
            }

            ValidateValue(v, value!, path, name);
        }
    }

    private void ValidateValue(Violations v, AttributeValue value, FieldPath path, string name)
    {
        switch (value.ValueCase)
        {
            case AttributeValue.ValueOneofCase.DoubleValue when double.IsNaN(value.DoubleValue):
                v.Add(path.Attribute(name), "NaN is not allowed");
                return;
            case AttributeValue.ValueOneofCase.DoubleList when value.DoubleList.Values.Any(double.IsNaN):
                v.Add(path.Attribute(name), "NaN is not allowed");
                return;
            case AttributeValue.ValueOneofCase.UuidValue when !Guid.TryParseExact(value.UuidValue, "D", out _):
                v.Add(path.Attribute(name), "a UUID is in canonical form (8-4-4-4-12 hex digits)");
                return;
            case AttributeValue.ValueOneofCase.UuidList when value.UuidList.Values.Any(u => !Guid.TryParseExact(u, "D", out _)):
                v.Add(path.Attribute(name), "a UUID is in canonical form (8-4-4-4-12 hex digits)");
                return;
            case AttributeValue.ValueOneofCase.DatetimeValue when !IsValidTimestamp(value.DatetimeValue):
                v.Add(path.Attribute(name), "not a valid timestamp (0001-01-01 to 9999-12-31)");
                return;
            case AttributeValue.ValueOneofCase.DatetimeList when !value.DatetimeList.Values.All(IsValidTimestamp):
                v.Add(path.Attribute(name), "not a valid timestamp (0001-01-01 to 9999-12-31)");
                return;
        }

        var bytes = value.ValueCase == AttributeValue.ValueOneofCase.StringValue ? Encoding.UTF8.GetByteCount(value.StringValue) : value.CalculateSize();
        if (bytes > _limits.MaxAttributeValueBytes)
        {
            v.Add(path.Attribute(name), $"the value is {bytes} bytes; at most {_limits.MaxAttributeValueBytes}");
        }
    }

    /// <summary>The schema type a value has, or null for a null value.</summary>
    public static AttributeType? TypeOf(AttributeValue? value) =>
        value is null ? null : NamespaceConfigRules.TypeOf(value) switch { AttributeType.Unspecified => null, var type => type };

    private static bool IsValidTimestamp(Google.Protobuf.WellKnownTypes.Timestamp? t) =>
        t is not null && t.Nanos is >= 0 and <= 999_999_999 && t.Seconds is >= -62_135_596_800 and <= 253_402_300_799;

    private static bool AllFinite(Google.Protobuf.Collections.RepeatedField<float> values)
    {
        foreach (var x in values)
        {
            if (!float.IsFinite(x))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllFiniteHalf(ReadOnlySpan<byte> f16)
    {
        for (var i = 0; i < f16.Length; i += 2)
        {
            if (!Half.IsFinite(BinaryPrimitives.ReadHalfLittleEndian(f16[i..])))
            {
                return false;
            }
        }

        return true;
    }

    private static string KindName(IdKind kind) => kind switch
    {
        IdKind.U64 => "u64",
        IdKind.Uuid => "uuid",
        IdKind.String => "text",
        _ => "unspecified",
    };

    private static string TypeName(AttributeType type) => type.ToString().ToUpperInvariant();

    /// <summary>What validation learns while it goes: the id kind in force, ids seen, attributes added.</summary>
    private sealed class State(NamespaceConfig config)
    {
        public IdKind IdKind { get; set; } = config.IdKind;

        public Dictionary<IdKey, FieldPath> Ids { get; } = [];

        public Dictionary<string, AttributeType> NewAttributes { get; } = new(StringComparer.Ordinal);

        /// <summary>The attribute's type: declared, or added earlier in this write; null when not known yet.</summary>
        public AttributeType? TypeOf(string name) =>
            config.Attributes.TryGetValue(name, out var schema) && schema.Type != AttributeType.Unspecified ? schema.Type
            : NewAttributes.TryGetValue(name, out var added) ? added
            : null;
    }

    /// <summary>An id for duplicate detection: a u64, or the canonical UUID / the text (ids of one write are all of one kind).</summary>
    private readonly record struct IdKey(ulong Number, string? Text);

    /// <summary>Where a document sits in the request; its field paths are built only when a violation needs one.</summary>
    private readonly record struct FieldPath(string List, int Index)
    {
        /// <summary>The id's path: <c>upserts[3].id</c>, or <c>deletes[3]</c> (a delete is an id).</summary>
        public string Id => List == "deletes" ? ToString() : $"{this}.id";

        public string Vector(string column) => $"{this}.vectors[{column}]";

        public string Attribute(string name) => $"{this}.attributes[{name}]";

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{List}[{Index}]");
    }

    private sealed class Violations
    {
        private readonly List<FieldViolation> _all = [];
        private ErrorReason _reason = ErrorReason.Unspecified;
        private Dictionary<string, string>? _metadata;

        public int Count => _all.Count;

        public void Add(string field, string description) => Add(field, description, ErrorReason.InvalidArgument, null);

        public void DimensionMismatch(string field, string column, int expected, int actual) =>
            Add(field, $"the column has {expected} dimensions; the vector has {actual}", ErrorReason.DimensionMismatch, new Dictionary<string, string>
            {
                ["column"] = column,
                ["expected"] = expected.ToString(CultureInfo.InvariantCulture),
                ["actual"] = actual.ToString(CultureInfo.InvariantCulture),
                ["field"] = field,
            });

        public void TypeMismatch(string field, string attribute, AttributeType expected, AttributeType actual) =>
            Add(field, $"the attribute is {TypeName(expected)}; the value is {TypeName(actual)}", ErrorReason.AttributeTypeMismatch, new Dictionary<string, string>
            {
                ["attribute"] = attribute,
                ["expected"] = TypeName(expected),
                ["actual"] = TypeName(actual),
                ["field"] = field,
            });

        public MoatValidationException ToException() =>
            _reason is ErrorReason.InvalidArgument or ErrorReason.Unspecified
                ? new MoatValidationException(_all)
                : new MoatValidationException(_all, _reason, _metadata);

        private void Add(string field, string description, ErrorReason reason, Dictionary<string, string>? metadata)
        {
            if (_all.Count == 0)
            {
                _reason = reason;
                _metadata = metadata;
            }

            _all.Add(new FieldViolation(field, description));
        }
    }
}
