import PromwatchConfig
import Relabel
import Testing

/// `kubernetes_sd_configs`, read and checked as Prometheus does.
@Suite struct KubernetesSDConfigTests {
    @Test func everyKey() throws {
        let yaml = """
            scrape_configs:
              - job_name: pods
                kubernetes_sd_configs:
                  - role: pod
                    namespaces:
                      names: [prod, staging]
                      own_namespace: true
                    selectors:
                      - role: pod
                        label: app=web,tier!=cache
                        field: spec.nodeName=node-1
                    attach_metadata:
                      node: true
                  - role: endpoints
                    api_server: https://10.0.0.1:6443
                    bearer_token_file: /var/run/token
                    tls_config:
                      ca_file: /etc/ca.crt
                    selectors:
                      - role: service
                        label: monitored=true
                      - role: endpoints
                        field: metadata.name=web
            """
        let job = try #require(try parse(yaml).scrapeConfigs.first)
        #expect(job.kubernetesSDConfigs.count == 2)
        let pods = job.kubernetesSDConfigs[0]
        #expect(pods.role == .pod)
        #expect(pods.apiServer == nil)
        #expect(pods.namespaces == ["prod", "staging"])
        #expect(pods.ownNamespace)
        #expect(pods.selector(for: .pod) == .init(role: .pod, label: "app=web,tier!=cache", field: "spec.nodeName=node-1"))
        #expect(pods.attachNodeMetadata)
        let endpoints = job.kubernetesSDConfigs[1]
        #expect(endpoints.role == .endpoints)
        #expect(endpoints.apiServer == "https://10.0.0.1:6443")
        #expect(endpoints.authorization?.credentialsFile == "/var/run/token")
        #expect(endpoints.tlsConfig.caFile == "/etc/ca.crt")
        #expect(endpoints.selectors.map(\.role) == [.service, .endpoints])
    }

    @Test(arguments: [
        ("- role: ingress", #"test.yaml:4:9: scrape_configs[0].kubernetes_sd_configs[0].role: invalid role "ingress" (expected one of: pod, service, endpoints, endpointslice, node)"#),
        ("- namespaces: {names: [a]}", "missing required key \"role\""),
        ("- role: pod\n        selectors: [{role: service, label: a=b}]", "selector role \"service\" is not allowed with role \"pod\" (allowed: pod)"),
        ("- role: endpoints\n        selectors: [{role: pod}, {role: pod}]", "duplicate selector role \"pod\""),
        ("- role: pod\n        api_server: https://a\n        kubeconfig_file: k", "at most one of api_server and kubeconfig_file may be set"),
        ("- role: pod\n        api_server: a.example:443", "must be an http:// or https:// URL"),
        ("- role: pod\n        bearer_token_file: /t", "need api_server"),
        ("- role: pod\n        api_server: https://a\n        tls_config: {insecure_skip_verify: true}", "promwatch always verifies TLS"),
        ("- role: pod\n        bearer_token: secret", "\"bearer_token\" is not supported by promwatch: use bearer_token_file"),
    ])
    func refusedSettingsAreNamed(entry: String, message: String) {
        let yaml = "scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs:\n      \(entry)\n"
        let description = parseError(yaml)?.description ?? "no error"
        #expect(description.contains(message), "\(description)")
    }
}

/// `relabel_configs`: read into Prometheus's rules, errors pointing at the offending key.
@Suite struct RelabelConfigTests {
    @Test func rulesAreReadWithPrometheusDefaults() throws {
        let yaml = """
            scrape_configs:
              - job_name: k
                relabel_configs:
                  - source_labels: [__meta_a, __meta_b]
                    separator: "/"
                    regex: (.+)/(.+)
                    target_label: ab
                    replacement: $2-$1
                  - action: labelmap
                    regex: __meta_kubernetes_pod_label_(.+)
                  - source_labels: [__address__]
                    modulus: 4
                    target_label: __tmp_hash
                    action: hashmod
                  - action: keep
                    source_labels: [__tmp_hash]
                    regex: "0"
            """
        let rules = try #require(try parse(yaml).scrapeConfigs.first).relabelConfigs
        #expect(rules.map(\.action) == [.replace, .labelMap, .hashMod, .keep])
        #expect(rules[0].sourceLabels == ["__meta_a", "__meta_b"])
        #expect(rules[0].separator == "/")
        #expect(rules[0].replacement == "$2-$1")
        #expect(rules[1].replacement == "$1")
        #expect(rules[2].modulus == 4)
    }

    @Test(arguments: [
        ("- action: replace\n        source_labels: [a]", "test.yaml:4:9: scrape_configs[0].relabel_configs[0]: relabel configuration for replace action requires 'target_label' value"),
        ("- action: explode", "test.yaml:4:9: scrape_configs[0].relabel_configs[0].action: unknown relabel action \"explode\""),
        ("- regex: \"(\"\n        target_label: x", "test.yaml:4:9: scrape_configs[0].relabel_configs[0].regex: error parsing regexp: missing closing ): `^(?s:()$`"),
        ("- action: hashmod\n        target_label: x", "relabel configuration for hashmod requires non-zero modulus"),
    ])
    func invalidRulesAreNamed(entry: String, message: String) {
        let yaml = "scrape_configs:\n  - job_name: k\n    relabel_configs:\n      \(entry)\n"
        let description = parseError(yaml)?.description ?? "no error"
        #expect(description.contains(message), "\(description)")
    }
}
