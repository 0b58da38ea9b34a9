using Moat.Hosting;
using Moat.Write.Audit;
using Moat.Write.Indexing;
using Moat.Write.Keys;
using Moat.Write.Namespaces;
using Moat.Write.Storage;
using Moat.Write.Writes;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Write);
builder.AddWriteStore();
builder.AddWriteKeys();
builder.AddWriteAudit();
builder.AddWritePath();
builder.AddWriteIndexer();

var app = builder.Build();
app.MapMoatDefaults();
app.MapGrpcService<WriteApi>();
app.MapGrpcService<NamespaceAdminApi>();
return await app.RunMoatAsync();
