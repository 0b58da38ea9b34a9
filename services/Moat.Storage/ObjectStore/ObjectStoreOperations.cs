namespace Moat.Storage.ObjectStore;

/// <summary>Kinds of object-store calls, for fault injection (<see cref="FaultyObjectStore"/>).</summary>
[Flags]
public enum ObjectStoreOperations
{
    None = 0,
    Get = 1,
    Head = 2,

    /// <summary>An unconditional put.</summary>
    Put = 4,
    PutIfAbsent = 8,
    PutIfMatch = 16,
    List = 32,
    Delete = 64,

    AnyPut = Put | PutIfAbsent | PutIfMatch,
    All = Get | Head | AnyPut | List | Delete,
}
