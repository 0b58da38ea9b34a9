namespace Moat.Storage.ObjectStore;

/// <summary>
/// The store belongs to another region than the service that opened it (DESIGN section 5: a service
/// refuses to start when its store's region is not its own).
/// </summary>
public sealed class ObjectStoreRegionMismatchException : ObjectStoreException
{
    public ObjectStoreRegionMismatchException()
        : this("object store region mismatch")
    {
    }

    public ObjectStoreRegionMismatchException(string message)
        : base(message)
    {
    }

    public ObjectStoreRegionMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ObjectStoreRegionMismatchException(string location, string storeRegion, string serviceRegion)
        : base(null, $"The object store at {location} belongs to region '{storeRegion}'; this service serves region '{serviceRegion}'. Refusing to use it.")
    {
        Location = location;
        StoreRegion = storeRegion;
        ServiceRegion = serviceRegion;
    }

    public string? Location { get; }

    public string? StoreRegion { get; }

    public string? ServiceRegion { get; }
}
