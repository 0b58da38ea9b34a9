namespace Moat.Storage.Sealing;

/// <summary>What a sealed object failed; carried by <see cref="SealedObjectIntegrityException"/>.</summary>
public enum SealedObjectFailure
{
    /// <summary>The object does not start with <c>MOAT</c>.</summary>
    BadMagic = 1,

    /// <summary>The format version is not one this reader accepts.</summary>
    UnsupportedVersion = 2,

    /// <summary>A header field is out of its allowed range.</summary>
    InvalidHeader = 3,

    /// <summary>The object ends before its header or one of its chunks does.</summary>
    Truncated = 4,

    /// <summary>A chunk did not authenticate (tampered, reordered, moved, or wrong header or key).</summary>
    TagMismatch = 5,

    /// <summary>Bytes follow the final chunk.</summary>
    TrailingData = 6,

    /// <summary>The header names a keyring version and DEK that the key source does not hold.</summary>
    UnknownDataKey = 7,
}
