extension ScenarioSchema {
    /// The README's description of each profile field, in ``DeviceProfile/keys`` order.
    static let profileFieldDescriptions: [String: String] = [
        "flops": "effective training throughput, FLOP/s, > 0.",
        "memoryGB": "memory available to training, GB, > 0 (caps adaptive batches).",
        "uplinkMbps": "uplink bandwidth, Mbit/s, > 0.",
        "downlinkMbps": "downlink bandwidth, Mbit/s, > 0.",
        "latencyMs": "latency added to every transfer, ms, >= 0.",
        "speedSigma": "sigma of the per-device lognormal speed factor, >= 0.",
        "jitterSigma": "sigma of the per-task lognormal compute jitter, >= 0.",
        "meanOnlineSeconds": "churn: mean length of an online period, s, > 0.",
        "meanOfflineSeconds": "churn: mean length of an offline period, s, >= 0 (0: never offline).",
        "windowStart": "diurnal: start of the daily online window, fraction of a local day in 0 ... 1.",
        "windowEnd": "diurnal: end of the daily online window (may wrap past midnight; not equal to windowStart).",
        "enclaveAttestationSeconds": "enclave cost model: attestation seconds before the first task, >= 0 (0: no enclave).",
        "enclaveSlowdown": "enclave cost model: compute time factor, 1 ... 1e6.",
        "enclaveMemoryGB": "enclave cost model: enclave memory, GB, >= 0.",
    ]

    /// Each profile field with the range ``ScenarioLoader`` checks.
    static var profileFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for key in DeviceProfile.keys {
            let description = profileFieldDescriptions[key] ?? key
            switch key {
            case "enclaveSlowdown": fields[key] = V.number(description, minimum: 1, maximum: 1e6)
            case "speedSigma", "jitterSigma", "latencyMs", "meanOfflineSeconds", "enclaveAttestationSeconds", "enclaveMemoryGB":
                fields[key] = V.nonNegative(description)
            case "windowStart", "windowEnd": fields[key] = V.number(description, minimum: 0, maximum: 1)
            default: fields[key] = V.positive(description)
            }
        }
        return fields
    }

    static var fleet: JSONValue {
        var profileProperties = profileFields
        profileProperties["base"] = V.choice("A built-in profile to inherit every field not given here.", DeviceProfile.builtIn.map(\.name))
        let profile = V.object("A device profile: from a built-in \"base\", or with every field given.",
                               properties: profileProperties,
                               rules: [V.anyOf([V.when(["base": V.present("string")], required: ["base"]),
                                                V.when([:], required: DeviceProfile.keys)])])
        let group = V.object("count devices of one profile.", required: ["profile", "count"], properties: [
            "profile": V.string("A built-in profile (phone, workstation, server) or one of fleet.profiles."),
            "count": V.integer("Number of devices in the group.", minimum: 1),
            "overrides": V.object("Profile fields that differ for this group.", properties: profileFields),
        ])
        return V.object("The fleet: named profiles and groups of devices drawn from them (README: Device profiles).",
                        required: ["groups"],
                        properties: [
                            "profiles": V.map("New profiles by name, each from a built-in \"base\" or complete (null: none).", values: V.nullable(profile)),
                            "groups": V.array("Devices are numbered group by group, in this order; at most 10000000 in all.",
                                              minItems: 1, items: group),
                        ])
    }
}
