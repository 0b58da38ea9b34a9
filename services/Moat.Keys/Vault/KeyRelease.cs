using Moat.Internal.V1;

namespace Moat.Keys.Vault;

/// <summary>Who a key is released to and why: the subject of the audit record of that release.</summary>
public sealed record KeyRelease(string Caller, PrincipalKind PrincipalKind, string PrincipalId, KeyPurpose Purpose);
