using Moat.V1;

namespace Moat.Keys;

/// <summary><c>moat.v1.KeyService</c> (customer keys). Not built yet: every RPC answers UNIMPLEMENTED naming its capability.</summary>
internal sealed class KeyServiceApi : KeyService.KeyServiceBase;
