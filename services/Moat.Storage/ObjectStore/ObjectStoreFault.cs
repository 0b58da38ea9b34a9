namespace Moat.Storage.ObjectStore;

/// <summary>What <see cref="FaultyObjectStore"/> does to one call.</summary>
public enum ObjectStoreFault
{
    /// <summary>Pass the call through.</summary>
    None = 0,

    /// <summary>Throw <see cref="ObjectStoreUnavailableException"/> without calling the store: not applied.</summary>
    FailBefore = 1,

    /// <summary>Call the store, then throw <see cref="ObjectStoreUnavailableException"/>: applied, answer lost. A list yields one item first.</summary>
    FailAfter = 2,

    /// <summary>Wait until cancelled (or <see cref="FaultyObjectStore.HangLimit"/>) without calling the store: not applied.</summary>
    HangBefore = 3,

    /// <summary>Call the store, then wait until cancelled: applied, answer never arrives (a time-out).</summary>
    HangAfter = 4,

    /// <summary>Wait <see cref="FaultyObjectStore.SlowDelay"/> (cancellable), then pass the call through.</summary>
    Slow = 5,
}
