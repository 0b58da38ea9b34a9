using Moat.V1;

namespace Moat.Query;

/// <summary><c>moat.v1.QueryService</c>. The read path is not built yet: every RPC answers UNIMPLEMENTED naming it.</summary>
internal sealed class QueryApi : QueryService.QueryServiceBase;
