using Moat.V1;

namespace Moat.Router;

/// <summary><c>moat.v1.AccessService</c>. Not built yet.</summary>
internal sealed class AccessApi : AccessService.AccessServiceBase;
