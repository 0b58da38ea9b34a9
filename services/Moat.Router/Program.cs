using Moat.Hosting;
using Moat.Router;
using Moat.Router.Audit;
using Moat.Router.Bootstrap;
using Moat.Router.Persistence;

if (args is ["bootstrap", .. var rest])
{
    return await RouterBootstrap.RunAsync(rest);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Router);
builder.Services.AddRouterStore();
builder.Services.AddRouterAudit(builder.Configuration);

var app = builder.Build();
app.MapMoatDefaults();
app.MapGrpcService<DirectoryApi>();
app.MapGrpcService<RegionApi>();
app.MapGrpcService<AccessApi>();
return await app.RunMoatAsync();
