namespace Moat.Keys.RootOfTrust;

/// <summary>A root-of-trust failure with its <see cref="RootOfTrustFailure"/> reason. Messages never contain
/// key material or PINs.</summary>
public sealed class RootOfTrustException : Exception
{
    public RootOfTrustException(RootOfTrustFailure reason, string message, Exception? innerException = null)
        : base(message, innerException) => Reason = reason;

    public RootOfTrustException()
        : this(RootOfTrustFailure.DeviceError, "The root of trust failed.")
    {
    }

    public RootOfTrustException(string message)
        : this(RootOfTrustFailure.DeviceError, message)
    {
    }

    public RootOfTrustException(string message, Exception innerException)
        : this(RootOfTrustFailure.DeviceError, message, innerException)
    {
    }

    public RootOfTrustFailure Reason { get; }
}
