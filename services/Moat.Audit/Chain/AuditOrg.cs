namespace Moat.Audit;

/// <summary>Org ids as audit path segments: <c>[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}</c>.</summary>
internal static class AuditOrg
{
    public static string Validate(AuditIdentifier org) => Validate(org.Value);

    public static string Validate(string org)
    {
        ArgumentNullException.ThrowIfNull(org);
        if (org.Length is 0 or > 64 || org[0] == '.' || !org.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-'))
        {
            throw new ArgumentException("An org id in the audit log matches [A-Za-z0-9_-][A-Za-z0-9._-]{0,63}.", nameof(org));
        }

        return org;
    }
}
