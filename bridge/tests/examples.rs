//! The shipped operator examples stay true: the Kubernetes manifests
//! (`examples/kubernetes/bridge.yaml`) carry a valid configuration, a grace period that
//! covers the preStop pause plus the whole drain, probes on the configured metrics port, and
//! a Service that exposes only the WebSocket port; `bridge.example.toml` shows every key.

use daaki_imap_bridge::Config;

const MANIFESTS: &str = include_str!("../examples/kubernetes/bridge.yaml");

/// The lines of the block scalar that starts after `key: |`, de-indented.
fn block(text: &str, key: &str) -> String {
    let mut lines = text.lines().skip_while(|l| l.trim() != format!("{key}: |"));
    assert!(lines.next().is_some(), "no {key} block");
    let body: Vec<&str> = lines
        .take_while(|l| l.is_empty() || l.starts_with("    "))
        .collect();
    body.iter()
        .map(|l| l.get(4..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The number after the first `key:` at or after the first line containing `after`.
fn number(text: &str, after: &str, key: &str) -> u64 {
    let prefix = format!("{key}:");
    text.lines()
        .skip_while(|l| !l.contains(after))
        .find_map(|l| l.trim().strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {key} after {after}"))
        .trim()
        .parse()
        .expect("a number")
}

/// The YAML documents (split at `---`).
fn documents() -> Vec<&'static str> {
    MANIFESTS.split("\n---\n").collect()
}

fn document(kind: &str) -> &'static str {
    documents()
        .into_iter()
        .find(|d| d.lines().any(|l| l == format!("kind: {kind}")))
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn the_kubernetes_configuration_is_valid_and_without_warnings() {
    let config = Config::from_toml(&block(MANIFESTS, "bridge.toml")).expect("valid");
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
    assert_eq!(config.listen.port(), 8143);
    assert_eq!(config.metrics_listen.expect("metrics").port(), 9143);
    assert!(!config.trusted_proxies.is_empty());
}

#[test]
fn the_grace_period_covers_the_pre_stop_pause_and_the_whole_drain() {
    let config = Config::from_toml(&block(MANIFESTS, "bridge.toml")).expect("valid");
    let deployment = document("Deployment");
    let grace = number(deployment, "spec:", "terminationGracePeriodSeconds");
    let pause = number(deployment, "preStop:", "seconds");
    // After the drain deadline the bridge closes with 1001 and waits at most 5 s more
    // (server.rs); each close has a 2 s grace (pipe::CLOSE_GRACE).
    let closing = 5 + daaki_imap_bridge::pipe::CLOSE_GRACE.as_secs();
    assert!(
        grace > pause + config.limits.shutdown_drain_secs + closing,
        "grace {grace} <= {pause} + {} + {closing}",
        config.limits.shutdown_drain_secs
    );
}

#[test]
fn probes_use_the_metrics_port_and_the_service_exposes_only_the_websocket() {
    let deployment = document("Deployment");
    assert!(deployment.contains("containerPort: 9143"));
    assert!(deployment.contains("containerPort: 8143"));
    let readiness: Vec<&str> = deployment
        .lines()
        .skip_while(|l| !l.contains("readinessProbe:"))
        .take(4)
        .collect();
    assert!(
        readiness.iter().any(|l| l.trim() == "path: /healthz"),
        "{readiness:?}"
    );
    assert!(
        readiness.iter().any(|l| l.trim() == "port: metrics"),
        "{readiness:?}"
    );
    let service: String = document("Service")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(service.contains("port: 8143"));
    assert!(
        !service.contains("9143") && !service.contains("metrics"),
        "{service}"
    );
    let hpa = document("HorizontalPodAutoscaler");
    assert!(hpa.contains("name: daaki_bridge_sessions_current"));
    assert!(
        daaki_imap_bridge::metrics::Metrics::default()
            .render()
            .contains("\ndaaki_bridge_sessions_current 0\n"),
        "the autoscaler's metric exists"
    );
}

#[test]
fn the_example_toml_shows_every_top_level_key_and_every_limit() {
    let example = include_str!("../bridge.example.toml");
    let config = Config::from_toml(example).expect("valid");
    let shown = |key: &str| {
        example.lines().any(|l| {
            l.trim_start()
                .trim_start_matches("# ")
                .starts_with(&format!("{key} ="))
        })
    };
    // Every field of Config and Limits, by its Debug name.
    let names = |debug: String| -> Vec<String> {
        debug
            .split([',', '{'])
            .filter_map(|part| part.split_once(':').map(|(k, _)| k.trim().to_owned()))
            .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .collect()
    };
    let limits = names(format!("{:?}", config.limits));
    assert!(limits.len() >= 10, "{limits:?}");
    for key in limits {
        assert!(
            shown(&key),
            "bridge.example.toml does not show limits.{key}"
        );
    }
    for key in [
        "listen",
        "path",
        "origins",
        "ticket_secret_file",
        "metrics_listen",
        "tls_cert_file",
        "tls_key_file",
        "trusted_proxies",
        "proxy_protocol",
        "wire_versions",
    ] {
        assert!(shown(key), "bridge.example.toml does not show {key}");
    }
}
