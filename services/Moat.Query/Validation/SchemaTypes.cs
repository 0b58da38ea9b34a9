using Moat.V1;

namespace Moat.Query.Validation;

/// <summary>Facts about attribute types the validators need: lists, element types, and which value case fits which type.</summary>
internal static class SchemaTypes
{
    public static bool IsList(AttributeType type) => type >= AttributeType.StringList;

    public static string Name(AttributeType type) => type.ToString().ToUpperInvariant();

    /// <summary>The scalar type of a list type's elements (the type itself for scalars).</summary>
    public static AttributeType Element(AttributeType type) => type switch
    {
        AttributeType.StringList => AttributeType.String,
        AttributeType.Int64List => AttributeType.Int64,
        AttributeType.Uint64List => AttributeType.Uint64,
        AttributeType.DoubleList => AttributeType.Double,
        AttributeType.UuidList => AttributeType.Uuid,
        AttributeType.DatetimeList => AttributeType.Datetime,
        AttributeType.BoolList => AttributeType.Bool,
        _ => type,
    };

    /// <summary>Whether a scalar operand fits a scalar attribute type (integers compare with doubles and with each other).</summary>
    public static bool ScalarFits(AttributeValue.ValueOneofCase value, AttributeType type) => (value, type) switch
    {
        (AttributeValue.ValueOneofCase.BoolValue, AttributeType.Bool) => true,
        (AttributeValue.ValueOneofCase.IntValue or AttributeValue.ValueOneofCase.UintValue or AttributeValue.ValueOneofCase.DoubleValue,
            AttributeType.Int64 or AttributeType.Uint64 or AttributeType.Double) => true,
        (AttributeValue.ValueOneofCase.StringValue, AttributeType.String) => true,
        (AttributeValue.ValueOneofCase.UuidValue or AttributeValue.ValueOneofCase.StringValue, AttributeType.Uuid) => true,
        (AttributeValue.ValueOneofCase.DatetimeValue, AttributeType.Datetime) => true,
        _ => false,
    };

    /// <summary>Whether a list operand's elements fit a scalar (element) type.</summary>
    public static bool ListFits(AttributeValue.ValueOneofCase value, AttributeType element) => (value, element) switch
    {
        (AttributeValue.ValueOneofCase.StringList, AttributeType.String) => true,
        (AttributeValue.ValueOneofCase.UuidList or AttributeValue.ValueOneofCase.StringList, AttributeType.Uuid) => true,
        (AttributeValue.ValueOneofCase.IntList or AttributeValue.ValueOneofCase.UintList or AttributeValue.ValueOneofCase.DoubleList,
            AttributeType.Int64 or AttributeType.Uint64 or AttributeType.Double) => true,
        (AttributeValue.ValueOneofCase.BoolList, AttributeType.Bool) => true,
        (AttributeValue.ValueOneofCase.DatetimeList, AttributeType.Datetime) => true,
        _ => false,
    };

    public static bool IsListValue(AttributeValue.ValueOneofCase value) => value >= AttributeValue.ValueOneofCase.StringList;

    public static bool IsNull(AttributeValue? value) =>
        value is null || value.ValueCase is AttributeValue.ValueOneofCase.None or AttributeValue.ValueOneofCase.NullValue;
}
