using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Moat.Keys.RootOfTrust.DevFile;

/// <summary>
/// Development root of trust: each root key is 32 random bytes in <c>{Directory}/{id}.key</c>
/// (mode 0600, created on first use), and wrapping is AES-256-GCM in process with the context as
/// associated data (<see cref="RootWrapFormat"/>). Refused at construction unless
/// <see cref="DevFileGuard.ThrowIfNotDevelopment"/> passes; logs a warning when constructed.
/// </summary>
public sealed class DevFileRootKeyProvider : IRootKeyProvider
{
    public const string ProviderName = "dev-file";

    private const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Lock _createLock = new();

    /// <exception cref="RootOfTrustException"><see cref="RootOfTrustFailure.Refused"/> outside development.</exception>
    public DevFileRootKeyProvider(DevFileOptions options, DevFileGuard guard, ILogger<DevFileRootKeyProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(logger);
        guard.ThrowIfNotDevelopment();
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new RootOfTrustException(RootOfTrustFailure.Refused, $"{DevFileOptions.Section}:Directory is required for the dev-file root of trust.");
        }

        _directory = Path.GetFullPath(options.Directory);
        _logger = logger;
        RootOfTrustLog.DevFileInUse(logger, _directory, guard.TrustDomain);
    }

    public string Name => ProviderName;

    /// <summary>The file a root key lives in.</summary>
    public string KeyPath(string rootKeyId)
    {
        RootKeyLabel.ThrowIfInvalid(rootKeyId, nameof(rootKeyId));
        return Path.Combine(_directory, rootKeyId + ".key");
    }

    public Task<string> CreateRootKeyAsync(string label, CancellationToken cancellationToken = default)
    {
        var path = KeyPath(label);
        lock (_createLock)
        {
            if (!TryCreate(path))
            {
                throw new RootOfTrustException(RootOfTrustFailure.KeyAlreadyExists, $"Root key '{label}' already exists ({path}).");
            }
        }

        RootOfTrustLog.RootKeyCreated(_logger, Name, label);
        return Task.FromResult(label);
    }

    public Task<bool> ExistsAsync(string rootKeyId, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(KeyPath(rootKeyId)));

    public Task DestroyRootKeyAsync(string rootKeyId, CancellationToken cancellationToken = default)
    {
        var path = KeyPath(rootKeyId);
        if (!File.Exists(path))
        {
            throw NotFound(rootKeyId);
        }

        // Overwrite, then delete: a dev disk is no HSM, but leave no key bytes behind where it is cheap not to.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            stream.Write(new byte[RootWrapFormat.KeySize]);
            stream.Flush(flushToDisk: true);
        }

        File.Delete(path);
        RootOfTrustLog.RootKeyDestroyed(_logger, Name, rootKeyId);
        return Task.CompletedTask;
    }

    /// <summary>Wraps under <paramref name="rootKeyId"/>, creating that root key on first use.</summary>
    public Task<WrappedKey> WrapAsync(string rootKeyId, ReadOnlyMemory<byte> plaintextKey, RootKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        RootWrapFormat.ThrowIfBadPlaintext(plaintextKey.Span);
        var path = KeyPath(rootKeyId);
        lock (_createLock)
        {
            if (TryCreate(path))
            {
                RootOfTrustLog.RootKeyCreated(_logger, Name, rootKeyId);
            }
        }

        using var rootKey = ReadKey(rootKeyId, path);
        var key = plaintextKey.Span;
        var ciphertext = new byte[RootWrapFormat.NonceSize + key.Length + RootWrapFormat.TagSize];
        var nonce = ciphertext.AsSpan(0, RootWrapFormat.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(rootKey.Span, RootWrapFormat.TagSize))
        {
            aes.Encrypt(nonce, key, ciphertext.AsSpan(RootWrapFormat.NonceSize, key.Length), ciphertext.AsSpan(RootWrapFormat.NonceSize + key.Length),
                RootWrapFormat.AssociatedData(Name, rootKeyId, RootWrapFormat.AesGcm, context));
        }

        return Task.FromResult(new WrappedKey(Name, rootKeyId, string.Empty, RootWrapFormat.AesGcm, ciphertext));
    }

    public Task<SecretBytes> UnwrapAsync(WrappedKey wrapped, RootKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        ArgumentNullException.ThrowIfNull(context);
        if (wrapped.Provider != Name || wrapped.Mechanism != RootWrapFormat.AesGcm)
        {
            throw new RootOfTrustException(RootOfTrustFailure.WrongProvider,
                $"This key was wrapped by '{wrapped.Provider}' ({wrapped.Mechanism}); this root of trust is '{Name}' ({RootWrapFormat.AesGcm}).");
        }

        var ciphertext = wrapped.Ciphertext.Span;
        var length = ciphertext.Length - RootWrapFormat.NonceSize - RootWrapFormat.TagSize;
        if (length <= 0)
        {
            throw new RootOfTrustException(RootOfTrustFailure.UnwrapFailed, $"The key wrapped under root key '{wrapped.RootKeyId}' is too short.");
        }

        var path = KeyPath(wrapped.RootKeyId);
        if (!File.Exists(path))
        {
            throw NotFound(wrapped.RootKeyId);
        }

        using var rootKey = ReadKey(wrapped.RootKeyId, path);
        var plaintext = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        try
        {
            using var aes = new AesGcm(rootKey.Span, RootWrapFormat.TagSize);
            aes.Decrypt(ciphertext[..RootWrapFormat.NonceSize], ciphertext.Slice(RootWrapFormat.NonceSize, length), ciphertext[(RootWrapFormat.NonceSize + length)..],
                plaintext, RootWrapFormat.AssociatedData(Name, wrapped.RootKeyId, wrapped.Mechanism, context));
            return Task.FromResult(SecretBytes.CopyFrom(plaintext));
        }
        catch (AuthenticationTagMismatchException e)
        {
            RootOfTrustLog.UnwrapFailed(_logger, Name, wrapped.RootKeyId, context.Org);
            throw new RootOfTrustException(RootOfTrustFailure.UnwrapFailed,
                $"The key wrapped under root key '{wrapped.RootKeyId}' does not authenticate with this context (org, namespace) or was altered.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public override string ToString() => $"{Name}(Directory={_directory})";

    /// <summary>Creates the key file atomically with mode 0600; false when it already exists.</summary>
    private bool TryCreate(string path)
    {
        if (File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_directory);
        }
        else
        {
            Directory.CreateDirectory(_directory, DirectoryMode);
        }

        var key = GC.AllocateUninitializedArray<byte>(RootWrapFormat.KeySize, pinned: true);
        RandomNumberGenerator.Fill(key);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = KeyFileMode;
            }

            using var stream = new FileStream(path, options);
            stream.Write(key);
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static SecretBytes ReadKey(string rootKeyId, string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & ~KeyFileMode) != 0)
            {
                throw new RootOfTrustException(RootOfTrustFailure.Refused,
                    $"Root key file '{path}' has mode {Convert.ToString((int)mode, 8)}; it must be 600 (readable by its owner only).");
            }
        }

        var bytes = GC.AllocateUninitializedArray<byte>(RootWrapFormat.KeySize + 1, pinned: true);
        try
        {
            int read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            }

            if (read != RootWrapFormat.KeySize)
            {
                throw new RootOfTrustException(RootOfTrustFailure.DeviceError, $"Root key file for '{rootKeyId}' is {read} bytes, not {RootWrapFormat.KeySize}.");
            }

            return SecretBytes.CopyFrom(bytes.AsSpan(0, RootWrapFormat.KeySize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static RootOfTrustException NotFound(string rootKeyId) =>
        new(RootOfTrustFailure.KeyNotFound, $"Root key '{rootKeyId}' does not exist (never created, or destroyed).");
}
