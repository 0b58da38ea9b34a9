using Moat.Internal.V1;

namespace Moat.Query;

/// <summary><c>moat.internal.v1.SnapshotSource</c> (cross-region copy). Not built yet.</summary>
internal sealed class SnapshotSourceApi : SnapshotSource.SnapshotSourceBase;
