using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Moat.Keys.RootOfTrust.Pkcs11;

/// <summary>
/// Root keys inside a PKCS#11 token (an HSM; SoftHSM in tests). Keys are AES-256 generated on the
/// token with CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE and not CKA_EXTRACTABLE, usable only for
/// CKA_ENCRYPT/CKA_DECRYPT: they never leave the device. A KEK is wrapped by CKM_AES_GCM encryption
/// inside the token with the context as GCM associated data (<see cref="RootWrapFormat"/>), so the
/// HSM itself refuses a wrap presented with another org's or namespace's context.
/// </summary>
/// <remarks>
/// <para>Concurrency: a pool of at most <see cref="Pkcs11Options.MaxSessions"/> read-write sessions, one
/// caller per session at a time (a semaphore bounds callers; idle sessions wait in a bag). Login is
/// per application in PKCS#11, so every new session (re)tries C_Login and accepts
/// CKR_USER_ALREADY_LOGGED_IN. A session that saw any PKCS#11 error is closed, not reused.</para>
/// <para>The module is loaded and initialised once per process and shared (<see cref="Pkcs11Libraries"/>).</para>
/// <para>SoftHSM reads <c>SOFTHSM2_CONF</c> from the native process environment at C_Initialize:
/// the launcher must set it (Environment.SetEnvironmentVariable does not reach native code on Unix).</para>
/// </remarks>
public sealed class Pkcs11RootKeyProvider : IRootKeyProvider, IDisposable
{
    public const string ProviderName = "pkcs11";

    private readonly Pkcs11Options _options;
    private readonly ILogger _logger;
    private readonly Pkcs11Libraries.Lease _library;
    private readonly ISlot _slot;
    private readonly byte[] _pin;
    private readonly ConcurrentBag<ISession> _idle = [];
    private readonly SemaphoreSlim _sessions;
    private readonly Lock _createLock = new();
    private int _disposed;

    /// <exception cref="RootOfTrustException">The library cannot be loaded (<see cref="RootOfTrustFailure.LibraryNotFound"/>),
    /// no token has the label (<see cref="RootOfTrustFailure.TokenNotFound"/>), or the PIN cannot be read or is refused
    /// (<see cref="RootOfTrustFailure.LoginFailed"/>).</exception>
    public Pkcs11RootKeyProvider(Pkcs11Options options, ILogger<Pkcs11RootKeyProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxSessions);
        _options = options;
        _logger = logger;
        _pin = ReadPin(options);
        _sessions = new SemaphoreSlim(options.MaxSessions, options.MaxSessions);
        _library = Pkcs11Libraries.Acquire(options.LibraryPath);
        try
        {
            _slot = FindSlot(_library.Library, options.TokenLabel);
            // Open and log in one session now: a wrong PIN stops the service at start, not at first use.
            _idle.Add(OpenSession());
        }
        catch
        {
            Dispose();
            throw;
        }

        RootOfTrustLog.Pkcs11Opened(logger, _library.Library.GetInfo().LibraryDescription, options.TokenLabel, _slot.SlotId, options.MaxSessions);
    }

    public string Name => ProviderName;

    public Task<string> CreateRootKeyAsync(string label, CancellationToken cancellationToken = default)
    {
        RootKeyLabel.ThrowIfInvalid(label, nameof(label));
        return Task.Run(() => CreateRootKey(label), cancellationToken);
    }

    public Task<bool> ExistsAsync(string rootKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootKeyId);
        return Task.Run(() => WithSession(session => FindKeys(session, rootKeyId).Count > 0), cancellationToken);
    }

    public Task DestroyRootKeyAsync(string rootKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootKeyId);
        return Task.Run(() =>
        {
            WithSession(session =>
            {
                var key = FindKey(session, rootKeyId);
                session.DestroyObject(key);
                return true;
            });
            RootOfTrustLog.RootKeyDestroyed(_logger, Name, rootKeyId);
        }, cancellationToken);
    }

    public Task<WrappedKey> WrapAsync(string rootKeyId, ReadOnlyMemory<byte> plaintextKey, RootKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootKeyId);
        ArgumentNullException.ThrowIfNull(context);
        RootWrapFormat.ThrowIfBadPlaintext(plaintextKey.Span);
        return Task.Run(() => Wrap(rootKeyId, plaintextKey.Span, context), cancellationToken);
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

        return Task.Run(() => Unwrap(wrapped, context), cancellationToken);
    }

    /// <summary>Synchronous wrap, for callers bound to a synchronous contract.</summary>
    public WrappedKey Wrap(string rootKeyId, ReadOnlySpan<byte> plaintextKey, RootKeyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        RootWrapFormat.ThrowIfBadPlaintext(plaintextKey);
        var nonce = RootWrapFormat.NewNonce();
        var aad = RootWrapFormat.AssociatedData(Name, rootKeyId, RootWrapFormat.AesGcm, context);
        var plaintext = plaintextKey.ToArray();
        try
        {
            var sealedKey = WithSession(session =>
            {
                var key = FindKey(session, rootKeyId);
                using var mechanism = GcmMechanism(nonce, aad);
                return session.Encrypt(mechanism, key, plaintext);
            });
            var ciphertext = new byte[nonce.Length + sealedKey.Length];
            nonce.CopyTo(ciphertext, 0);
            sealedKey.CopyTo(ciphertext, nonce.Length);
            return new WrappedKey(Name, rootKeyId, string.Empty, RootWrapFormat.AesGcm, ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Synchronous unwrap, for callers bound to a synchronous contract.</summary>
    public SecretBytes Unwrap(WrappedKey wrapped, RootKeyContext context)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        ArgumentNullException.ThrowIfNull(context);
        var ciphertext = wrapped.Ciphertext.Span;
        if (ciphertext.Length <= RootWrapFormat.NonceSize + RootWrapFormat.TagSize)
        {
            throw new RootOfTrustException(RootOfTrustFailure.UnwrapFailed, $"The key wrapped under root key '{wrapped.RootKeyId}' is too short.");
        }

        var nonce = ciphertext[..RootWrapFormat.NonceSize].ToArray();
        var sealedKey = ciphertext[RootWrapFormat.NonceSize..].ToArray();
        var aad = RootWrapFormat.AssociatedData(Name, wrapped.RootKeyId, wrapped.Mechanism, context);
        byte[]? plaintext = null;
        try
        {
            plaintext = WithSession(session =>
            {
                var key = FindKey(session, wrapped.RootKeyId);
                using var mechanism = GcmMechanism(nonce, aad);
                try
                {
                    return session.Decrypt(mechanism, key, sealedKey);
                }
                // A GCM tag mismatch: CKR_ENCRYPTED_DATA_INVALID per the spec, but SoftHSM 2.6.1 answers CKR_GENERAL_ERROR
                // (measured), so device-generic failures of this one call are reported as UnwrapFailed, with the RV.
                catch (Pkcs11Exception e) when (e.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_GENERAL_ERROR or CKR.CKR_FUNCTION_FAILED)
                {
                    RootOfTrustLog.UnwrapFailed(_logger, Name, wrapped.RootKeyId, context.Org);
                    throw new RootOfTrustException(RootOfTrustFailure.UnwrapFailed,
                        $"The key wrapped under root key '{wrapped.RootKeyId}' does not authenticate with this context (org, namespace) or was altered ({e.RV}).", e);
                }
            });
            return SecretBytes.CopyFrom(plaintext);
        }
        finally
        {
            if (plaintext is not null)
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        while (_idle.TryTake(out var session))
        {
            CloseQuietly(session);
        }

        CryptographicOperations.ZeroMemory(_pin);
        _library.Dispose();
        _sessions.Dispose();
    }

    public override string ToString() => $"{Name}({_options})";

    /// <summary>Runs <paramref name="action"/> on a pooled, logged-in session. Internal for tests (export attempts).</summary>
    internal T WithSession<T>(Func<ISession, T> action)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _sessions.Wait();
        ISession? session = null;
        var reusable = false;
        try
        {
            session = _idle.TryTake(out var idle) ? idle : OpenSession();
            var result = action(session);
            reusable = true;
            return result;
        }
        catch (Pkcs11Exception e)
        {
            RootOfTrustLog.SessionDiscarded(_logger, e.RV.ToString());
            throw Translate(e);
        }
        catch (RootOfTrustException e) when (e.InnerException is not Pkcs11Exception)
        {
            // Moat's own refusal (key not found, ...): the session saw no device error.
            reusable = true;
            throw;
        }
        finally
        {
            if (session is not null)
            {
                if (reusable)
                {
                    _idle.Add(session);
                }
                else
                {
                    // A device error: do not reuse the session (an operation may still be active on it).
                    CloseQuietly(session);
                }
            }

            _sessions.Release();
        }
    }

    internal Pkcs11InteropFactories Factories => _library.Factories;

    internal IObjectHandle FindKey(ISession session, string rootKeyId)
    {
        var keys = FindKeys(session, rootKeyId);
        if (keys.Count == 0)
        {
            throw new RootOfTrustException(RootOfTrustFailure.KeyNotFound,
                $"Root key '{rootKeyId}' does not exist on token '{_options.TokenLabel}' (never created, or destroyed).");
        }

        if (keys.Count > 1)
        {
            throw new RootOfTrustException(RootOfTrustFailure.DeviceError,
                $"More than one key on token '{_options.TokenLabel}' is labelled '{KeyLabel(rootKeyId)}': refusing to guess.");
        }

        RequireProtected(session, keys[0], rootKeyId);
        return keys[0];
    }

    private string CreateRootKey(string label)
    {
        var id = RandomNumberGenerator.GetBytes(16);
        var factories = _library.Factories;
        var attributes = factories.ObjectAttributeFactory;
        var template = new List<IObjectAttribute>
        {
            attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            attributes.Create(CKA.CKA_VALUE_LEN, (ulong)RootWrapFormat.KeySize),
            attributes.Create(CKA.CKA_LABEL, KeyLabel(label)),
            attributes.Create(CKA.CKA_ID, id),
            attributes.Create(CKA.CKA_TOKEN, true),
            attributes.Create(CKA.CKA_PRIVATE, true),
            attributes.Create(CKA.CKA_SENSITIVE, true),
            attributes.Create(CKA.CKA_EXTRACTABLE, false),
            attributes.Create(CKA.CKA_ENCRYPT, true),
            attributes.Create(CKA.CKA_DECRYPT, true),
            attributes.Create(CKA.CKA_WRAP, false),
            attributes.Create(CKA.CKA_UNWRAP, false),
            attributes.Create(CKA.CKA_SIGN, false),
            attributes.Create(CKA.CKA_VERIFY, false),
            attributes.Create(CKA.CKA_DERIVE, false),
            attributes.Create(CKA.CKA_MODIFIABLE, false),
        };

        // One creator at a time in this process, so check-then-create cannot race here.
        lock (_createLock)
        {
            WithSession(session =>
            {
                if (FindKeys(session, label).Count > 0)
                {
                    throw new RootOfTrustException(RootOfTrustFailure.KeyAlreadyExists,
                        $"Root key '{label}' already exists on token '{_options.TokenLabel}'.");
                }

                using var mechanism = factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
                var key = session.GenerateKey(mechanism, template);
                try
                {
                    RequireProtected(session, key, label);
                }
                catch
                {
                    session.DestroyObject(key);
                    throw;
                }

                return true;
            });
        }

        foreach (var attribute in template)
        {
            attribute.Dispose();
        }

        RootOfTrustLog.RootKeyCreated(_logger, Name, label);
        return label;
    }

    /// <summary>Refuses to use a key that the token would let out (e.g. one made by hand with pkcs11-tool).</summary>
    private static void RequireProtected(ISession session, IObjectHandle key, string rootKeyId)
    {
        var values = session.GetAttributeValue(key, [CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE, CKA.CKA_KEY_TYPE, CKA.CKA_VALUE_LEN]);
        try
        {
            var sensitive = values[0].GetValueAsBool();
            var extractable = values[1].GetValueAsBool();
            var keyType = (CKK)values[2].GetValueAsUlong();
            var length = values[3].GetValueAsUlong();
            if (!sensitive || extractable || keyType != CKK.CKK_AES || length != RootWrapFormat.KeySize)
            {
                throw new RootOfTrustException(RootOfTrustFailure.DeviceError,
                    $"Root key '{rootKeyId}' is not a protected AES-256 key (sensitive={sensitive}, extractable={extractable}, type={keyType}, length={length}): refusing to use it.");
            }
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private List<IObjectHandle> FindKeys(ISession session, string rootKeyId)
    {
        var attributes = _library.Factories.ObjectAttributeFactory;
        var template = new List<IObjectAttribute>
        {
            attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            attributes.Create(CKA.CKA_TOKEN, true),
            attributes.Create(CKA.CKA_LABEL, KeyLabel(rootKeyId)),
        };
        try
        {
            return session.FindAllObjects(template);
        }
        finally
        {
            foreach (var attribute in template)
            {
                attribute.Dispose();
            }
        }
    }

    private IMechanism GcmMechanism(byte[] nonce, byte[] aad)
    {
        var factories = _library.Factories;
        var parameters = factories.MechanismParamsFactory.CreateCkGcmParams(nonce, (ulong)nonce.Length * 8, aad, RootWrapFormat.TagSize * 8);
        return factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
    }

    private string KeyLabel(string rootKeyId) => _options.KeyLabelPrefix + rootKeyId;

    private ISession OpenSession()
    {
        var session = _slot.OpenSession(SessionType.ReadWrite);
        try
        {
            session.Login(CKU.CKU_USER, _pin);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // Login is per application: another session of this process already logged in.
        }
        catch (Pkcs11Exception e)
        {
            CloseQuietly(session);
            var why = e.RV switch
            {
                CKR.CKR_PIN_INCORRECT => "the PIN is wrong",
                CKR.CKR_PIN_LOCKED => "the PIN is locked",
                CKR.CKR_PIN_EXPIRED => "the PIN has expired",
                CKR.CKR_USER_PIN_NOT_INITIALIZED => "the token has no user PIN",
                _ => "the token refused the login",
            };
            throw new RootOfTrustException(RootOfTrustFailure.LoginFailed,
                $"Login to token '{_options.TokenLabel}' failed: {why} ({e.RV}; PIN from {SourceOfPin(_options)}).", e);
        }
        catch
        {
            CloseQuietly(session);
            throw;
        }

        return session;
    }

    private static ISlot FindSlot(IPkcs11Library library, string tokenLabel)
    {
        var labels = new List<string>();
        var matches = new List<ISlot>();
        foreach (var slot in library.GetSlotList(SlotsType.WithTokenPresent))
        {
            var label = slot.GetTokenInfo().Label.Trim();
            labels.Add(label);
            if (string.Equals(label, tokenLabel, StringComparison.Ordinal))
            {
                matches.Add(slot);
            }
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new RootOfTrustException(RootOfTrustFailure.TokenNotFound,
                $"{Pkcs11Options.Section}:TokenLabel: no token labelled '{tokenLabel}' is present (tokens: {(labels.Count == 0 ? "none" : string.Join(", ", labels.Select(l => $"'{l}'")))})." +
                " For SoftHSM, check that SOFTHSM2_CONF is set in the environment this process was started with."),
            _ => throw new RootOfTrustException(RootOfTrustFailure.TokenNotFound,
                $"{Pkcs11Options.Section}:TokenLabel: {matches.Count} tokens are labelled '{tokenLabel}': labels must be unique."),
        };
    }

    private static byte[] ReadPin(Pkcs11Options options)
    {
        string? pin;
        if (options.PinFile is { Length: > 0 } file)
        {
            try
            {
                pin = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RootOfTrustException(RootOfTrustFailure.LoginFailed, $"{Pkcs11Options.Section}:PinFile '{file}' cannot be read ({e.GetType().Name}).", e);
            }
        }
        else if (options.PinEnvironmentVariable is { Length: > 0 } variable)
        {
            pin = Environment.GetEnvironmentVariable(variable);
        }
        else
        {
            throw new RootOfTrustException(RootOfTrustFailure.LoginFailed, $"{Pkcs11Options.Section}: set PinFile or PinEnvironmentVariable (the PIN itself is never a setting).");
        }

        pin = pin?.TrimEnd('\r', '\n');
        if (string.IsNullOrEmpty(pin))
        {
            throw new RootOfTrustException(RootOfTrustFailure.LoginFailed, $"{Pkcs11Options.Section}: the PIN from {SourceOfPin(options)} is empty.");
        }

        return Encoding.UTF8.GetBytes(pin);
    }

    private static string SourceOfPin(Pkcs11Options options) =>
        options.PinFile is { Length: > 0 } file ? $"file '{file}'" : $"environment variable '{options.PinEnvironmentVariable}'";

    private RootOfTrustException Translate(Pkcs11Exception e) => e.RV switch
    {
        CKR.CKR_DEVICE_REMOVED or CKR.CKR_TOKEN_NOT_PRESENT => new RootOfTrustException(RootOfTrustFailure.TokenNotFound,
            $"Token '{_options.TokenLabel}' is gone ({e.RV}).", e),
        CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_LOCKED or CKR.CKR_USER_NOT_LOGGED_IN => new RootOfTrustException(RootOfTrustFailure.LoginFailed,
            $"Token '{_options.TokenLabel}' refused the session ({e.RV}).", e),
        _ => new RootOfTrustException(RootOfTrustFailure.DeviceError, $"Token '{_options.TokenLabel}': {e.Method} returned {e.RV}.", e),
    };

    private static void CloseQuietly(ISession session)
    {
        try
        {
            session.Dispose();
        }
        catch (Pkcs11Exception)
        {
            // Closing a broken session can fail; there is nothing left to release.
        }
    }
}
