using System.Reflection;

namespace Moat.Audit.Tests;

public sealed class EventTypeTests
{
    [Theory]
    [InlineData("ns-1")]
    [InlineData("spiffe://moat.internal/region/eu-1/write")]
    [InlineData("/moat.v1.WriteService/Upsert")]
    [InlineData("operator@example.com")]
    [InlineData("key_1.v2:abc")]
    public void Identifiers_accept_ids_names_spiffe_ids_and_methods(string value) =>
        Assert.Equal(value, new AuditIdentifier(value).Value);

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("line\nbreak")]
    [InlineData("carriage\rreturn")]
    [InlineData("tab\there")]
    [InlineData("quote\"d")]
    [InlineData("{\"json\":1}")]
    [InlineData("naïve")]
    [InlineData("base64+/=")]
    public void Identifiers_reject_free_text(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => new AuditIdentifier(value));
        Assert.DoesNotContain(value.Length > 0 ? value : "\u0001", e.Message, StringComparison.Ordinal);
        Assert.False(AuditIdentifier.TryParse(value, out _));
    }

    [Fact]
    public void Identifiers_reject_over_long_values()
    {
        Assert.Equal(256, new AuditIdentifier(new string('a', 256)).Value.Length);
        Assert.Throws<ArgumentException>(() => new AuditIdentifier(new string('a', 257)));
    }

    [Fact]
    public void No_event_type_has_a_free_form_string_or_byte_array_field()
    {
        Type[] eventTypes = [typeof(AuditEvent), typeof(AuditPrincipal), typeof(AuditNamespace), typeof(AuditKeyRef)];
        foreach (var type in eventTypes)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                var allowed = t.IsEnum || t == typeof(long) || t == typeof(bool) || t == typeof(AuditIdentifier)
                    || eventTypes.Contains(t) || (type == typeof(AuditEvent) && property.Name == "EqualityContract");
                Assert.True(allowed, $"{type.Name}.{property.Name} is {t.Name}: events hold only ids, enums and counts");
            }

            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                Assert.Fail($"{type.Name}.{field.Name}: events have no public fields");
            }
        }

        // The identifier's only state is its validated string.
        Assert.Equal(["Value"], typeof(AuditIdentifier).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != "EqualityContract").Select(p => p.Name));
    }

    [Fact]
    public void Event_enums_carry_the_protobuf_values()
    {
        foreach (var kind in Enum.GetValues<AuditEventKind>())
        {
            var proto = (Moat.Internal.V1.AuditEventKind)(int)kind;
            Assert.Equal(kind.ToString(), proto.ToString());
        }

        foreach (var kind in Enum.GetValues<AuditPrincipalKind>())
        {
            Assert.Equal(kind.ToString(), ((Moat.Internal.V1.AuditPrincipalKind)(int)kind).ToString());
        }

        foreach (var outcome in Enum.GetValues<AuditEventOutcome>())
        {
            Assert.Equal(outcome.ToString(), ((Moat.V1.AuditOutcome)(int)outcome).ToString());
        }

        Assert.Equal(Enum.GetValues<Moat.Internal.V1.AuditEventKind>().Length - 1, Enum.GetValues<AuditEventKind>().Length);
    }

    [Fact]
    public void Unknown_enum_values_and_negative_counts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AuditRig.StateChange(1) with { Kind = (AuditEventKind)99 });
        Assert.Throws<ArgumentOutOfRangeException>(() => AuditRig.StateChange(1) with { Outcome = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => AuditRig.StateChange(1) with { ItemCount = -1 });
    }

    [Fact]
    public void Writer_ids_are_service_dot_instance()
    {
        Assert.Equal("write.7f3a", AuditWriterId.Create("write", "7f3a").Value);
        Assert.Equal("query.a-1", AuditWriterId.Parse("query.a-1").Value);
        Assert.Throws<ArgumentException>(() => AuditWriterId.Create("Write", "1"));
        Assert.Throws<ArgumentException>(() => AuditWriterId.Create("write", "a/b"));
        Assert.Throws<ArgumentException>(() => AuditWriterId.Parse("checkpoint"));
    }
}
