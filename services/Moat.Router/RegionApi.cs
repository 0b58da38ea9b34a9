using Moat.V1;

namespace Moat.Router;

/// <summary><c>moat.v1.RegionService</c>. Not built yet.</summary>
internal sealed class RegionApi : RegionService.RegionServiceBase;
