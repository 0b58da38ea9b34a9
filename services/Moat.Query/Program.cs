using Moat.Hosting;
using Moat.Query;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Query);

var app = builder.Build();
app.MapMoatDefaults();
app.MapGrpcService<QueryApi>();
app.MapGrpcService<SnapshotSourceApi>();
return await app.RunMoatAsync();
