extension ScenarioSchema {
    /// The README's description of each profile field, in ``DeviceProfile/keys`` order.
    static let profileFieldDescriptions: [String: String] = [
        "flops": "effective training throughput, FLOP/s.",
        "memoryGB": "memory available to training, GB (caps adaptive batches).",
        "uplinkMbps": "uplink bandwidth, Mbit/s.",
        "downlinkMbps": "downlink bandwidth, Mbit/s.",
        "latencyMs": "latency added to every transfer, ms.",
        "speedSigma": "sigma of the per-device lognormal speed factor.",
        "jitterSigma": "sigma of the per-task lognormal compute jitter.",
        "meanOnlineSeconds": "churn: mean length of an online period, s.",
        "meanOfflineSeconds": "churn: mean length of an offline period, s (0: never offline).",
        "windowStart": "diurnal: start of the daily online window, as a fraction of a local day.",
        "windowEnd": "diurnal: end of the daily online window (may wrap past midnight; not equal to windowStart).",
        "enclaveAttestationSeconds": "enclave cost model: attestation seconds before the first task (0: no enclave).",
        "enclaveSlowdown": "enclave cost model: compute time factor.",
        "enclaveMemoryGB": "enclave cost model: enclave memory, GB.",
    ]

    /// Each profile field with its range (``ScenarioRange/profile``).
    static var profileFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for key in DeviceProfile.keys {
            let (range, unit) = ScenarioRange.profile[key]!
            fields[key] = V.number("\(profileFieldDescriptions[key] ?? key) Range \(V.format(range)) (\(unit)).", in: range)
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
