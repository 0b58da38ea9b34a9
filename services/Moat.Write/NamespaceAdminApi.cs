using Moat.Internal.V1;

namespace Moat.Write;

/// <summary><c>moat.internal.v1.NamespaceAdmin</c>. Not built yet: every RPC answers UNIMPLEMENTED naming its capability.</summary>
internal sealed class NamespaceAdminApi : NamespaceAdmin.NamespaceAdminBase;
