using Moat.V1;

namespace Moat.Gateway.Authentication;

/// <summary>What the router said an API key is. Never holds the secret.</summary>
public sealed record ApiKeyIdentity(string Org, string KeyId, Role Role, string NamespacePrefix, DateTimeOffset? ExpiresAt);
