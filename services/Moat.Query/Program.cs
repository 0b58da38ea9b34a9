using Moat.Hosting;
using Moat.Query;
using Moat.Query.Namespaces;
using Moat.Query.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Query);
builder.AddNamespaceListing();
builder.AddReadPath();

var app = builder.Build();
app.MapMoatDefaults();
app.MapGrpcService<QueryApi>();
app.MapGrpcService<SnapshotSourceApi>();
return await app.RunMoatAsync();
