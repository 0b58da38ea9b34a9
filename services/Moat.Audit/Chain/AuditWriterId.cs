namespace Moat.Audit;

/// <summary>
/// A writer: one service instance, <c>{service}.{instance}</c> (e.g. <c>write.7f3a9c</c>). Service:
/// <c>[a-z][a-z0-9-]{0,31}</c>; instance: <c>[A-Za-z0-9-]{1,64}</c>. It is a path segment of the
/// chain (<see cref="AuditPaths.WriterPrefix"/>) and always holds exactly one '.'.
/// </summary>
public sealed record AuditWriterId
{
    private AuditWriterId(string service, string instance)
    {
        Service = service;
        Instance = instance;
        Value = service + "." + instance;
    }

    public string Service { get; }

    public string Instance { get; }

    /// <summary><c>{service}.{instance}</c>.</summary>
    public string Value { get; }

    public static AuditWriterId Create(string service, string instance)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(instance);
        if (service.Length is 0 or > 32 || service[0] is < 'a' or > 'z' || !service.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            throw new ArgumentException("A writer's service name matches [a-z][a-z0-9-]{0,31}.", nameof(service));
        }

        if (instance.Length is 0 or > 64 || !instance.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-'))
        {
            throw new ArgumentException("A writer's instance id matches [A-Za-z0-9-]{1,64}.", nameof(instance));
        }

        return new AuditWriterId(service, instance);
    }

    /// <summary>Parses <c>{service}.{instance}</c>.</summary>
    public static AuditWriterId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            throw new ArgumentException("A writer id is {service}.{instance}.", nameof(value));
        }

        return Create(value[..dot], value[(dot + 1)..]);
    }

    public static bool TryParse(string? value, out AuditWriterId? id)
    {
        id = null;
        if (value is null)
        {
            return false;
        }

        try
        {
            id = Parse(value);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public override string ToString() => Value;
}
