using System.Globalization;
using Moat.Audit;
using Moat.Storage.Keyring;
using Moat.Storage.ObjectStore;

// Usage: --store DIR --region R --org ORG --writer SERVICE.INSTANCE --keyring FILE --kek FILE
//        --signing-key FILE --count N [--concurrency C]
// Appends N namespace-create events durably from C tasks; prints "ack {seq}" for each acknowledged
// append (after the batch holding it is stored), then flushes (a digest) and prints "done {records}".
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Arg(string name) => options.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

var org = Arg("org");
var count = int.Parse(Arg("count"), CultureInfo.InvariantCulture);
var concurrency = options.TryGetValue("concurrency", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : 8;
var kekBytes = await File.ReadAllBytesAsync(Arg("kek"));
using var kek = new AesGcmKeyWrapper(1, kekBytes);
using var keyring = NamespaceKeyring.Parse(await File.ReadAllBytesAsync(Arg("keyring")), "audit-" + org, 1, kek);
using var signer = EcdsaAuditSigner.ImportPkcs8("test-keyvault", await File.ReadAllBytesAsync(Arg("signing-key")));
using var store = new LocalFileSystemStore(Arg("store"), Arg("region"));
var checkpointer = new AuditCheckpointer(store, signer, store.Region);
var writer = new AuditWriter(store, new KeyringAuditKeyProvider(keyring), checkpointer, new AuditWriterOptions
{
    WriterId = AuditWriterId.Parse(Arg("writer")),
    DigestEveryRecords = 50,
});

var stdout = Console.Out;
var next = -1;
var tasks = Enumerable.Range(0, concurrency).Select(async _ =>
{
    while (true)
    {
        var i = Interlocked.Increment(ref next);
        if (i >= count)
        {
            return;
        }

        var receipt = await writer.AppendDurableAsync(new AuditEvent
        {
            Kind = AuditEventKind.NamespaceCreate,
            Outcome = AuditEventOutcome.Success,
            Org = new AuditIdentifier(org),
            Principal = AuditPrincipal.ApiKey(new AuditIdentifier(org), new AuditIdentifier("key-" + (i % 7).ToString(CultureInfo.InvariantCulture))),
            Namespace = new AuditNamespace(new AuditIdentifier("ns-" + i.ToString(CultureInfo.InvariantCulture)),
                new AuditIdentifier("nsid-" + i.ToString(CultureInfo.InvariantCulture))),
        });
        lock (stdout)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ack {receipt.Sequence}"));
            stdout.Flush();
        }
    }
}).ToArray();
await Task.WhenAll(tasks);
await writer.DisposeAsync();
stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {writer.GetStatistics().Records}"));
return 0;
