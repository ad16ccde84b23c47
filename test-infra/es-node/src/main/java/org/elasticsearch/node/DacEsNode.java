package org.elasticsearch.node;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.elasticsearch.Build;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * A real single Elasticsearch node in one JVM, built from Maven Central artifacts, for dac's own tests.
 * It lives in package org.elasticsearch.node because the construction that accepts a custom PluginsService
 * (plugins from the classpath, as there is no modules/ folder) is package-private.
 *
 * Usage: DacEsNode HOME HTTP_PORT TRANSPORT_PORT. Runs until SIGTERM, then closes the node.
 */
public final class DacEsNode {
    private DacEsNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DacEsNode HOME HTTP_PORT TRANSPORT_PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Settings settings = Settings.builder()
            .put("cluster.name", "dac-test")
            .put("node.name", "dac-test-node")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", args[1])
            .put("transport.port", args[2])
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.destructive_requires_name", false)
            .build();
        Path config = Files.createDirectories(home.resolve("config"));
        try (InputStream log4j = DacEsNode.class.getResourceAsStream("/dac-es-node-log4j2.properties")) {
            Files.copy(log4j, config.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), config, () -> "dac-test-node");
        LogConfigurator.configure(environment, false);

        NodeServiceProvider plugins = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, PluginsLoader loader) {
                return new MockPluginsService(env.settings(), env, List.of(Netty4Plugin.class));
            }
        };
        Node node = new Node(NodeConstruction.prepareConstruction(environment, null, plugins, false));
        registerRoot(node);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "dac-es-node-shutdown"));
        node.start();
        stopped.await();
    }

    /** GET / and HEAD / come from the unpublished rest-root module; the Node.js client's info() and ping() need them. */
    private static void registerRoot(Node node) {
        RestController controller = node.injector().getInstance(RestController.class);
        ClusterService clusterService = node.injector().getInstance(ClusterService.class);
        RestHandler root = (request, channel, client) -> {
            if (request.method() == RestRequest.Method.HEAD) {
                channel.sendResponse(new RestResponse(RestStatus.OK, "application/json", ""));
                return;
            }
            Build build = Build.current();
            String body = "{\"name\":\"" + clusterService.getNodeName() + "\",\"cluster_name\":\""
                + clusterService.getClusterName().value() + "\",\"cluster_uuid\":\""
                + clusterService.state().metadata().clusterUUID() + "\",\"version\":{\"number\":\""
                + build.version() + "\",\"build_flavor\":\"default\",\"build_type\":\"" + build.type().displayName()
                + "\",\"build_hash\":\"" + build.hash() + "\",\"build_date\":\"" + build.date()
                + "\",\"build_snapshot\":" + build.isSnapshot() + ",\"lucene_version\":\""
                + org.apache.lucene.util.Version.LATEST + "\",\"minimum_wire_compatibility_version\":\""
                + build.minWireCompatVersion() + "\",\"minimum_index_compatibility_version\":\""
                + build.minIndexCompatVersion() + "\"},\"tagline\":\"You Know, for Search\"}";
            channel.sendResponse(new RestResponse(RestStatus.OK, "application/json", body));
        };
        controller.registerHandler(new RestHandler.Route(RestRequest.Method.GET, "/"), root);
        controller.registerHandler(new RestHandler.Route(RestRequest.Method.HEAD, "/"), root);
    }
}
