using Moat.V1;

namespace Moat.Keys.Client;

/// <summary>Raised when a namespace's keys were dropped: its key became unusable, or its state could not be checked.</summary>
public sealed record NamespaceKeyUnusable(string NamespaceId, ErrorReason Reason);
