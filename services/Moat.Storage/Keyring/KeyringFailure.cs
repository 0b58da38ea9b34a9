namespace Moat.Storage.Keyring;

/// <summary>What a keyring document failed; carried by <see cref="KeyringIntegrityException"/>.</summary>
public enum KeyringFailure
{
    /// <summary>Not a keyring document, an unsupported version, or a malformed structure.</summary>
    Malformed = 1,

    /// <summary>The document names another namespace or keyring version than its path.</summary>
    WrongIdentity = 2,

    /// <summary>The document was wrapped under another KEK version than the wrapper holds.</summary>
    KekVersionMismatch = 3,

    /// <summary>The keyring authenticator or a DEK entry did not authenticate: wrong KEK or tampered.</summary>
    AuthenticationFailed = 4,
}
