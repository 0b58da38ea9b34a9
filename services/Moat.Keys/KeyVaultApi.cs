using Moat.Internal.V1;

namespace Moat.Keys;

/// <summary><c>moat.internal.v1.KeyVault</c> (data keys). Not built yet: every RPC answers UNIMPLEMENTED naming its capability.</summary>
internal sealed class KeyVaultApi : KeyVault.KeyVaultBase;
