using Google.Protobuf.WellKnownTypes;
using Moat.Search;
using Moat.V1;

namespace Moat.Query.Mapping;

/// <summary>Converts attribute values and document ids between the public protos and the engine's types.</summary>
internal static class ValueMapper
{
    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>The engine value of a proto operand; null for a null operand. Integers given for a DOUBLE attribute stay integers: the engine compares numbers across kinds.</summary>
    public static FieldValue? ToEngine(AttributeValue? value) => value?.ValueCase switch
    {
        null or AttributeValue.ValueOneofCase.None or AttributeValue.ValueOneofCase.NullValue => null,
        AttributeValue.ValueOneofCase.BoolValue => FieldValue.Bool(value.BoolValue),
        AttributeValue.ValueOneofCase.IntValue => FieldValue.Int64(value.IntValue),
        AttributeValue.ValueOneofCase.UintValue => FieldValue.UInt64(value.UintValue),
        AttributeValue.ValueOneofCase.DoubleValue => FieldValue.Double(value.DoubleValue),
        AttributeValue.ValueOneofCase.StringValue => FieldValue.String(value.StringValue),
        AttributeValue.ValueOneofCase.UuidValue => FieldValue.Uuid(Guid.Parse(value.UuidValue)),
        AttributeValue.ValueOneofCase.DatetimeValue => FieldValue.DateTime(Micros(value.DatetimeValue)),
        AttributeValue.ValueOneofCase.StringList => FieldValue.List(ValueKind.String, value.StringList.Values.Select(ScalarValue.String)),
        AttributeValue.ValueOneofCase.IntList => FieldValue.List(ValueKind.Int64, value.IntList.Values.Select(ScalarValue.Int64)),
        AttributeValue.ValueOneofCase.UintList => FieldValue.List(ValueKind.UInt64, value.UintList.Values.Select(ScalarValue.UInt64)),
        AttributeValue.ValueOneofCase.DoubleList => FieldValue.List(ValueKind.Double, value.DoubleList.Values.Select(ScalarValue.Double)),
        AttributeValue.ValueOneofCase.BoolList => FieldValue.List(ValueKind.Bool, value.BoolList.Values.Select(ScalarValue.Bool)),
        AttributeValue.ValueOneofCase.UuidList => FieldValue.List(ValueKind.Uuid, value.UuidList.Values.Select(v => ScalarValue.Uuid(Guid.Parse(v)))),
        AttributeValue.ValueOneofCase.DatetimeList => FieldValue.List(ValueKind.DateTime, value.DatetimeList.Values.Select(t => ScalarValue.DateTime(Micros(t)))),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.ValueCase, "unknown attribute value case"),
    };

    /// <summary>An operand for a UUID attribute may come as a string; the engine needs the UUID kind.</summary>
    public static FieldValue? ToEngine(AttributeValue? value, AttributeType attributeType)
    {
        if (value is not null && SchemaElementIsUuid(attributeType))
        {
            if (value.ValueCase == AttributeValue.ValueOneofCase.StringValue)
            {
                return FieldValue.Uuid(Guid.Parse(value.StringValue));
            }

            if (value.ValueCase == AttributeValue.ValueOneofCase.StringList)
            {
                return FieldValue.List(ValueKind.Uuid, value.StringList.Values.Select(v => ScalarValue.Uuid(Guid.Parse(v))));
            }
        }

        return ToEngine(value);
    }

    public static AttributeValue ToProto(FieldValue? value)
    {
        if (value is null)
        {
            return new AttributeValue { NullValue = NullValue.NullValue };
        }

        if (!value.IsList)
        {
            return ToProto(value.Scalar);
        }

        var result = new AttributeValue();
        switch (value.Kind)
        {
            case ValueKind.String: result.StringList = new StringList(); result.StringList.Values.AddRange(value.Elements.Select(e => e.AsString)); break;
            case ValueKind.Int64: result.IntList = new Int64List(); result.IntList.Values.AddRange(value.Elements.Select(e => e.AsInt64)); break;
            case ValueKind.UInt64: result.UintList = new UInt64List(); result.UintList.Values.AddRange(value.Elements.Select(e => e.AsUInt64)); break;
            case ValueKind.Double: result.DoubleList = new DoubleList(); result.DoubleList.Values.AddRange(value.Elements.Select(e => e.AsDouble)); break;
            case ValueKind.Bool: result.BoolList = new BoolList(); result.BoolList.Values.AddRange(value.Elements.Select(e => e.AsBool)); break;
            case ValueKind.Uuid: result.UuidList = new UuidList(); result.UuidList.Values.AddRange(value.Elements.Select(e => e.AsGuid.ToString("D"))); break;
            case ValueKind.DateTime: result.DatetimeList = new DateTimeList(); result.DatetimeList.Values.AddRange(value.Elements.Select(e => FromMicros(e.AsDateTimeMicros))); break;
        }

        return result;
    }

    public static AttributeValue ToProto(ScalarValue value) => value.Kind switch
    {
        ValueKind.Bool => new AttributeValue { BoolValue = value.AsBool },
        ValueKind.Int64 => new AttributeValue { IntValue = value.AsInt64 },
        ValueKind.UInt64 => new AttributeValue { UintValue = value.AsUInt64 },
        ValueKind.Double => new AttributeValue { DoubleValue = value.AsDouble },
        ValueKind.DateTime => new AttributeValue { DatetimeValue = FromMicros(value.AsDateTimeMicros) },
        ValueKind.Uuid => new AttributeValue { UuidValue = value.AsGuid.ToString("D") },
        _ => new AttributeValue { StringValue = value.AsString },
    };

    public static DocumentId ToProto(DocId id) => id.Kind switch
    {
        DocIdKind.U64 => new DocumentId { U64 = id.U64 },
        DocIdKind.Uuid => new DocumentId { Uuid = id.Uuid.ToString("D") },
        _ => new DocumentId { Text = id.Text },
    };

    public static DocId ToEngine(DocumentId id) => id.IdCase switch
    {
        DocumentId.IdOneofCase.U64 => DocId.FromU64(id.U64),
        DocumentId.IdOneofCase.Uuid => DocId.FromUuid(Guid.Parse(id.Uuid)),
        DocumentId.IdOneofCase.Text => DocId.FromString(id.Text),
        _ => throw new ArgumentException("The document id is not set.", nameof(id)),
    };

    public static long Micros(Timestamp timestamp) => (timestamp.ToDateTimeOffset().UtcTicks - UnixEpochTicks) / 10;

    public static Timestamp FromMicros(long micros) => Timestamp.FromDateTimeOffset(new DateTimeOffset(UnixEpochTicks + (micros * 10), TimeSpan.Zero));

    private static bool SchemaElementIsUuid(AttributeType type) => type is AttributeType.Uuid or AttributeType.UuidList;
}
