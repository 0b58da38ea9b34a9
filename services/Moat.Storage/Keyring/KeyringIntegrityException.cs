using System.Globalization;

namespace Moat.Storage.Keyring;

/// <summary>A keyring document failed verification; the message names its path and what failed.</summary>
public sealed class KeyringIntegrityException : Exception
{
    public KeyringIntegrityException()
        : this("(unknown)", KeyringFailure.Malformed, "verification failed")
    {
    }

    public KeyringIntegrityException(string message)
        : base(message)
    {
        KeyringPath = string.Empty;
    }

    public KeyringIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
        KeyringPath = string.Empty;
    }

    public KeyringIntegrityException(string keyringPath, KeyringFailure failure, string detail, Exception? innerException = null)
        : base(string.Create(CultureInfo.InvariantCulture, $"Keyring '{keyringPath}' failed verification: {detail}."), innerException)
    {
        KeyringPath = keyringPath;
        Failure = failure;
    }

    /// <summary>The storage path of the keyring version that failed.</summary>
    public string KeyringPath { get; }

    public KeyringFailure Failure { get; }
}
