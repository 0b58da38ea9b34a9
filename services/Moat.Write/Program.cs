using Moat.Hosting;
using Moat.Write;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Write);

var app = builder.Build();
app.MapMoatDefaults();
app.MapGrpcService<WriteApi>();
app.MapGrpcService<NamespaceAdminApi>();
return await app.RunMoatAsync();
