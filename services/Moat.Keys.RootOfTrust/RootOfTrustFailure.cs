namespace Moat.Keys.RootOfTrust;

/// <summary>Why a root-of-trust operation failed. Listed once; <see cref="RootOfTrustException.Reason"/> carries it.</summary>
public enum RootOfTrustFailure
{
    /// <summary>The PKCS#11 library (or other provider runtime) could not be loaded.</summary>
    LibraryNotFound = 1,

    /// <summary>No token with the configured label is present.</summary>
    TokenNotFound,

    /// <summary>Login to the token was refused (wrong PIN, locked PIN) or the PIN could not be read.</summary>
    LoginFailed,

    /// <summary>The named root key does not exist (never created, or destroyed).</summary>
    KeyNotFound,

    /// <summary>A root key with that label already exists.</summary>
    KeyAlreadyExists,

    /// <summary>The wrapped key or its context does not authenticate under the root key.</summary>
    UnwrapFailed,

    /// <summary>The wrapped key was made by another provider or under another mechanism.</summary>
    WrongProvider,

    /// <summary>The provider refuses to run in this deployment (e.g. <c>dev-file</c> outside development).</summary>
    Refused,

    /// <summary>The provider is named but not built yet.</summary>
    NotBuilt,

    /// <summary>The device or service failed in a way not listed above.</summary>
    DeviceError,
}
