using Microsoft.Extensions.Logging;

namespace Moat.Keys.RootOfTrust;

/// <summary>Source-generated log messages of the root of trust (event ids 7100-7199). No key material, no PIN.</summary>
internal static partial class RootOfTrustLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning,
        Message = "ROOT OF TRUST IS A PLAIN FILE: provider dev-file, directory {Directory}. Every key this Moat holds is only as safe as that file. Development only (trust domain {TrustDomain}, local store, loopback listeners).")]
    public static partial void DevFileInUse(ILogger logger, string directory, string trustDomain);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information,
        Message = "Root of trust pkcs11: library {Library}, token {TokenLabel} (slot {SlotId}), up to {MaxSessions} sessions")]
    public static partial void Pkcs11Opened(ILogger logger, string library, string tokenLabel, ulong slotId, int maxSessions);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Root key {RootKeyId} created by {Provider}")]
    public static partial void RootKeyCreated(ILogger logger, string provider, string rootKeyId);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Root key {RootKeyId} destroyed by {Provider}: everything wrapped under it is unreadable")]
    public static partial void RootKeyDestroyed(ILogger logger, string provider, string rootKeyId);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Unwrap under root key {RootKeyId} ({Provider}) failed to authenticate for org {Org}")]
    public static partial void UnwrapFailed(ILogger logger, string provider, string rootKeyId, string org);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "PKCS#11 session discarded after {ReturnValue}")]
    public static partial void SessionDiscarded(ILogger logger, string returnValue);
}
