using Moat.Search.Text;
using static Moat.Search.Tests.Docs;

namespace Moat.Search.Tests;

/// <summary>Every filter operator, with null / missing semantics and lists, through the filter index and through column scans.</summary>
public class FilterTests
{
    private static readonly TextFieldOptions English = new() { Stemming = true, RemoveStopwords = true };

    internal static SearchSegment Build(bool filterable)
    {
        var b = new SearchSegmentBuilder(DocIdKind.U64, "s1")
            .Attribute("n", new FieldType(ValueKind.Int64, false), filterable)
            .Attribute("u", new FieldType(ValueKind.UInt64, false), filterable)
            .Attribute("price", new FieldType(ValueKind.Double, false), filterable)
            .Attribute("name", new FieldType(ValueKind.String, false), filterable)
            .Attribute("tags", new FieldType(ValueKind.String, true), filterable)
            .Attribute("nums", new FieldType(ValueKind.Int64, true), filterable)
            .Attribute("flag", new FieldType(ValueKind.Bool, false), filterable)
            .Attribute("when", new FieldType(ValueKind.DateTime, false), filterable)
            .Attribute("ref", new FieldType(ValueKind.Uuid, false), filterable)
            .Attribute("body", new FieldType(ValueKind.String, false), filterable, English);
        FieldValue? N(long? v) => v is null ? null : FieldValue.Int64(v.Value);
        var n = new long?[] { 5, -3, 10, null, 5, 0, 100, null };
        var u = new ulong?[] { 5, ulong.MaxValue, 0, null, null, null, null, null };
        var price = new double?[] { 1.5, 2.5, -0.0, 10, null, null, null, null };
        var names = new[] { "apple", "banana", "Apricot", "cherry", null, "apple pie", "ápple", "date" };
        var tags = new[] { new[] { "red", "fruit" }, ["yellow", "fruit"], [], ["red"], null, ["dessert", "red"], null, ["brown", "fruit"] };
        var nums = new[] { new long[] { 1, 2, 3 }, [10], null, [-5, 7], [], [3], null, null };
        var flags = new bool?[] { true, false, true, null, null, false, null, null };
        var body = new[] { "The quick brown fox", "Foxes jumping over dogs", "lazy dog sleeps", "quick quick fox", null, "brown dog and the quick fox", null, null };
        for (var i = 0; i < 8; i++)
        {
            b.Add(DocId.FromU64((ulong)i + 1), Attrs(
                ("n", N(n[i])),
                ("u", u[i] is { } uv ? FieldValue.UInt64(uv) : null),
                ("price", price[i] is { } p ? FieldValue.Double(p) : null),
                ("name", names[i] is { } s ? FieldValue.String(s) : null),
                ("tags", tags[i] is { } t ? FieldValue.Strings(t) : null),
                ("nums", nums[i] is { } ns ? FieldValue.Int64s(ns) : null),
                ("flag", flags[i] is { } f ? FieldValue.Bool(f) : null),
                ("when", i < 4 ? FieldValue.DateTime(1_000_000L * i) : null),
                ("ref", i < 3 ? FieldValue.Uuid(new Guid(i + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) : null),
                ("body", body[i] is { } bt ? FieldValue.String(bt) : null)));
        }

        return b.Build();
    }

    public static TheoryData<string, FilterExpr, ulong[]> Cases() => new()
    {
        { "eq", P("n", FilterOp.Eq, FieldValue.Int64(5)), [1, 5] },
        { "noteq matches missing", P("n", FilterOp.NotEq, FieldValue.Int64(5)), [2, 3, 4, 6, 7, 8] },
        { "eq null = missing", P("n", FilterOp.Eq, null), [4, 8] },
        { "noteq null = present", P("n", FilterOp.NotEq, null), [1, 2, 3, 5, 6, 7] },
        { "eq null on unknown attribute", P("nope", FilterOp.Eq, null), [1, 2, 3, 4, 5, 6, 7, 8] },
        { "eq on unknown attribute", P("nope", FilterOp.Eq, FieldValue.Int64(1)), [] },
        { "notin on unknown attribute", P("nope", FilterOp.NotIn, FieldValue.Int64s(1)), [1, 2, 3, 4, 5, 6, 7, 8] },
        { "in", P("n", FilterOp.In, FieldValue.Int64s(0, 10, 42)), [3, 6] },
        { "notin matches missing", P("n", FilterOp.NotIn, FieldValue.Int64s(0, 10)), [1, 2, 4, 5, 7, 8] },
        { "lt", P("n", FilterOp.Lt, FieldValue.Int64(5)), [2, 6] },
        { "lte", P("n", FilterOp.Lte, FieldValue.Int64(5)), [1, 2, 5, 6] },
        { "gt", P("n", FilterOp.Gt, FieldValue.Int64(5)), [3, 7] },
        { "gte", P("n", FilterOp.Gte, FieldValue.Int64(5)), [1, 3, 5, 7] },
        { "lt double operand on int", P("n", FilterOp.Lt, FieldValue.Double(5.5)), [1, 2, 5, 6] },
        { "gt double operand on int", P("n", FilterOp.Gt, FieldValue.Double(-3.5)), [1, 2, 3, 5, 6, 7] },
        { "eq fractional double on int", P("n", FilterOp.Eq, FieldValue.Double(5.5)), [] },
        { "gte uint operand on int", P("n", FilterOp.Gte, FieldValue.UInt64(10)), [3, 7] },
        { "uint gt negative int", P("u", FilterOp.Gt, FieldValue.Int64(-1)), [1, 2, 3] },
        { "uint eq max", P("u", FilterOp.Eq, FieldValue.UInt64(ulong.MaxValue)), [2] },
        { "uint lt", P("u", FilterOp.Lt, FieldValue.Int64(5)), [3] },
        { "double -0 equals 0", P("price", FilterOp.Eq, FieldValue.Double(0)), [3] },
        { "double gt int operand", P("price", FilterOp.Gt, FieldValue.Int64(2)), [2, 4] },
        { "string eq", P("name", FilterOp.Eq, FieldValue.String("apple")), [1] },
        { "string lt by utf8 bytes", P("name", FilterOp.Lt, FieldValue.String("b")), [1, 3, 6] },
        { "string gte non-ascii last", P("name", FilterOp.Gte, FieldValue.String("c")), [4, 7, 8] },
        { "glob prefix", P("name", FilterOp.Glob, FieldValue.String("app*")), [1, 6] },
        { "glob suffix", P("name", FilterOp.Glob, FieldValue.String("*e")), [1, 6, 7, 8] },
        { "glob ? is one character", P("name", FilterOp.Glob, FieldValue.String("?pple")), [1, 7] },
        { "glob class", P("name", FilterOp.Glob, FieldValue.String("[ab]*")), [1, 2, 6] },
        { "glob negated class", P("name", FilterOp.Glob, FieldValue.String("[!a]*")), [2, 3, 4, 7, 8] },
        { "glob escaped", P("name", FilterOp.Glob, FieldValue.String("apple\\ pie")), [6] },
        { "iglob", P("name", FilterOp.IGlob, FieldValue.String("AP*")), [1, 3, 6] },
        { "notglob matches missing", P("name", FilterOp.NotGlob, FieldValue.String("app*")), [2, 3, 4, 5, 7, 8] },
        { "notiglob", P("name", FilterOp.NotIGlob, FieldValue.String("ap*")), [2, 4, 5, 7, 8] },
        { "regex", P("name", FilterOp.Regex, FieldValue.String("^a.p")), [1, 6] },
        { "regex alternation", P("name", FilterOp.Regex, FieldValue.String("ch|dat")), [4, 8] },
        { "contains", P("tags", FilterOp.Contains, FieldValue.String("red")), [1, 4, 6] },
        { "notcontains matches missing", P("tags", FilterOp.NotContains, FieldValue.String("red")), [2, 3, 5, 7, 8] },
        { "containsany", P("tags", FilterOp.ContainsAny, FieldValue.Strings("yellow", "brown")), [2, 8] },
        { "notcontainsany", P("tags", FilterOp.NotContainsAny, FieldValue.Strings("fruit")), [3, 4, 5, 6, 7] },
        { "list eq whole list", P("tags", FilterOp.Eq, FieldValue.Strings("red", "fruit")), [1] },
        { "list eq empty list", P("tags", FilterOp.Eq, FieldValue.Strings()), [3] },
        { "list eq null", P("tags", FilterOp.Eq, null), [5, 7] },
        { "anygt", P("nums", FilterOp.AnyGt, FieldValue.Int64(5)), [2, 4] },
        { "anylt", P("nums", FilterOp.AnyLt, FieldValue.Int64(0)), [4] },
        { "anygte", P("nums", FilterOp.AnyGte, FieldValue.Int64(3)), [1, 2, 4, 6] },
        { "anylte", P("nums", FilterOp.AnyLte, FieldValue.Int64(1)), [1, 4] },
        { "bool eq", P("flag", FilterOp.Eq, FieldValue.Bool(true)), [1, 3] },
        { "bool noteq", P("flag", FilterOp.NotEq, FieldValue.Bool(true)), [2, 4, 5, 6, 7, 8] },
        { "datetime gte", P("when", FilterOp.Gte, FieldValue.DateTime(2_000_000)), [3, 4] },
        { "datetime lt int micros", P("when", FilterOp.Lt, FieldValue.Int64(1_000_000)), [1] },
        { "uuid eq", P("ref", FilterOp.Eq, FieldValue.Uuid(new Guid(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))), [2] },
        { "uuid gt", P("ref", FilterOp.Gt, FieldValue.Uuid(new Guid(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))), [2, 3] },
        { "and", new AndFilter([P("n", FilterOp.Gt, FieldValue.Int64(0)), P("tags", FilterOp.Contains, FieldValue.String("red"))]), [1] },
        { "or", new OrFilter([P("n", FilterOp.Eq, FieldValue.Int64(10)), P("name", FilterOp.Eq, FieldValue.String("date"))]), [3, 8] },
        { "not", new NotFilter(P("n", FilterOp.Eq, FieldValue.Int64(5))), [2, 3, 4, 6, 7, 8] },
        { "empty and = all", new AndFilter([]), [1, 2, 3, 4, 5, 6, 7, 8] },
        { "empty or = none", new OrFilter([]), [] },
        { "id eq", P("id", FilterOp.Eq, FieldValue.UInt64(3)), [3] },
        { "id in", P("id", FilterOp.In, FieldValue.List(ValueKind.UInt64, [ScalarValue.UInt64(2), ScalarValue.UInt64(4), ScalarValue.UInt64(99)])), [2, 4] },
        { "id lt", P("id", FilterOp.Lt, FieldValue.Int64(3)), [1, 2] },
        { "id gte", P("id", FilterOp.Gte, FieldValue.UInt64(7)), [7, 8] },
        { "id notin", P("id", FilterOp.NotIn, FieldValue.Int64s(1, 2)), [3, 4, 5, 6, 7, 8] },
        { "all tokens, stemmed query", P("body", FilterOp.ContainsAllTokens, FieldValue.String("Quick foxes")), [1, 4, 6] },
        { "all tokens stems both sides", P("body", FilterOp.ContainsAllTokens, FieldValue.String("fox jumps")), [2] },
        { "any token", P("body", FilterOp.ContainsAnyToken, FieldValue.String("dogs lazy")), [2, 3, 6] },
        { "any token list operand", P("body", FilterOp.ContainsAnyToken, FieldValue.Strings("sleeping", "zebra")), [3] },
        { "stop words only match nothing", P("body", FilterOp.ContainsAllTokens, FieldValue.String("the and")), [] },
        { "token sequence", P("body", FilterOp.ContainsTokenSequence, FieldValue.String("quick fox")), [4, 6] },
        { "token sequence order matters", P("body", FilterOp.ContainsTokenSequence, FieldValue.String("fox quick")), [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Operators_match_through_the_filter_index(string name, FilterExpr filter, ulong[] expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, Ids(Snapshot(Build(filterable: true)), filter));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Operators_match_through_column_scans(string name, FilterExpr filter, ulong[] expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, Ids(Snapshot(Build(filterable: false)), filter));
    }

    public static TheoryData<FilterExpr, string> Invalid() => new()
    {
        { P("n", FilterOp.Lt, FieldValue.String("x")), "filter.predicate.value" },
        { P("tags", FilterOp.In, FieldValue.Strings("a")), "filter.predicate.op" },
        { P("tags", FilterOp.Lt, FieldValue.String("a")), "filter.predicate.op" },
        { P("tags", FilterOp.Eq, FieldValue.String("red")), "filter.predicate.value" },
        { P("n", FilterOp.Eq, FieldValue.Int64s(1, 2)), "filter.predicate.value" },
        { P("n", FilterOp.Glob, FieldValue.String("1*")), "filter.predicate.op" },
        { P("n", FilterOp.Lt, null), "filter.predicate.value" },
        { P("n", FilterOp.Eq, FieldValue.Double(double.NaN)), "filter.predicate.value" },
        { P("name", FilterOp.ContainsAnyToken, FieldValue.String("apple")), "filter.predicate.attribute" },
        { P("name", FilterOp.Regex, FieldValue.String("(a")), "filter.predicate.value" },
        { new AndFilter([P("n", FilterOp.Eq, FieldValue.Int64(1)), P("id", FilterOp.Eq, FieldValue.String("x"))]), "filter.and_filter.filters[1].predicate.value" },
        { P("id", FilterOp.Contains, FieldValue.Int64(1)), "filter.predicate.op" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_filters_name_the_field(FilterExpr filter, string field)
    {
        var snap = Snapshot(Build(filterable: true));
        var e = Assert.Throws<SearchQueryException>(() => snap.Search(new SearchQuery { Filter = filter }));
        Assert.Equal(field, e.Field);
    }
}
