using Moat.Hosting;
using Moat.Query;
using Moat.Query.Namespaces;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Query);
builder.AddNamespaceListing();

var app = builder.Build();
app.MapMoatDefaults();
app.MapGrpcService<QueryApi>();
app.MapGrpcService<SnapshotSourceApi>();
return await app.RunMoatAsync();
