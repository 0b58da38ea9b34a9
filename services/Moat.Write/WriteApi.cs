using Moat.V1;

namespace Moat.Write;

/// <summary><c>moat.v1.WriteService</c>. The write path is not built yet: every RPC answers UNIMPLEMENTED naming it.</summary>
internal sealed class WriteApi : WriteService.WriteServiceBase;
