namespace Moat.Router;

/// <summary><c>moat.internal.v1.Directory</c>. Not built yet.</summary>
internal sealed class DirectoryApi : Moat.Internal.V1.Directory.DirectoryBase;
