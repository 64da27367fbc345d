extension ScenarioSchema {
    /// One link's codec: which keys each kind takes.
    static var codec: JSONValue {
        V.object("[dense] codec: dense | topk, randomk (fraction, values) | qsgd (levels) | uint8 | sign (README: Compression).",
                 required: ["kind"],
                 properties: [
                    "kind": V.choice("The codec.", ["dense", "topk", "randomk", "qsgd", "uint8", "sign"]),
                    "fraction": V.number("topk and randomk: fraction of coordinates kept, in (0, 1].", minimum: 1e-9, maximum: 1),
                    "values": V.choice("[float32] topk and randomk: how kept values are coded.", ["float32", "uint8", "qsgd"]),
                    "levels": V.integer("[16] qsgd, and qsgd-coded values: number of levels s.", minimum: 1, maximum: 65_535),
                 ],
                 rules: [V.anyOf([
                    V.when(["kind": V.among(["dense", "uint8", "sign"]), "fraction": V.absent, "values": V.absent, "levels": V.absent]),
                    V.when(["kind": V.const("qsgd"), "fraction": V.absent, "values": V.absent]),
                    V.when(["kind": V.among(["topk", "randomk"]), "fraction": V.present("number"), "values": V.const("qsgd")],
                           required: ["fraction", "values"]),
                    V.when(["kind": V.among(["topk", "randomk"]), "fraction": V.present("number"),
                            "values": V.amongOrNull(["float32", "uint8"]), "levels": V.absent], required: ["fraction"]),
                 ])])
    }

    static var compression: JSONValue {
        V.object("How updates (uplink) and models (downlink) are encoded on the wire.", properties: [
            "uplink": codec, "downlink": codec,
            "errorFeedback": V.bool("[false] uplink residual kept on the device (Stich et al. 2018)."),
            "downlinkDelta": V.bool("[false] send the server model minus the device's last copy."),
        ])
    }

    static var secureAggregation: JSONValue {
        V.object("[none] secure aggregation (Bonawitz et al. 2017); fedavg with uniform selection only; "
                    + "uplink dense, uint8 or randomk (float32/uint8 values).",
                 properties: [
                    "threshold": V.integer("[ceil(2n/3) of the cohort] survivors needed to unmask.", minimum: 1),
                    "clip": V.number("[1] each weighted coordinate clipped to [-clip, clip].", in: ScenarioRange.clip),
                    "fractionalBits": V.integer("[16] fixed-point resolution (not with 8-bit values).", minimum: 0, maximum: 62),
                    "ringBits": V.integer("[32; 8-bit values: narrowest that holds the sum] the ring Z_{2^ringBits}.",
                                          minimum: SecureAggregationConfig.ringBitsRange.lowerBound,
                                          maximum: SecureAggregationConfig.ringBitsRange.upperBound),
                 ])
    }

    /// `secureAggregation` needs mode fedavg, uniform selection and an uplink whose values masks
    /// can be added on (``SecureUplink/combines(with:)``); `fractionalBits` needs an uplink that is
    /// not on the 8-bit grid (``SecureUplink/usesEightBitLevels(_:)``).
    static var secureAggregationRules: [JSONValue] {
        let absent = V.when(["secureAggregation": V.nullOnly])
        let combinable = V.anyOf([V.when(["kind": V.among(["dense", "uint8"])]),
                                  V.when(["kind": V.const("randomk"), "values": V.amongOrNull(["float32", "uint8"])])])
        let notEightBit = V.anyOf([V.when(["kind": V.const("dense")]),
                                   V.when(["kind": V.const("randomk"), "values": V.amongOrNull(["float32"])])])
        return [
            V.anyOf([absent, V.when([
                "training": V.when(["mode": V.amongOrNull(["fedavg"]), "selection": V.amongOrNull(["uniform"])]),
                "compression": V.when(["uplink": combinable]),
            ])]),
            V.anyOf([absent, V.when(["secureAggregation": V.when(["fractionalBits": V.nullOnly])]),
                     V.when(["compression": V.when(["uplink": notEightBit])])]),
        ]
    }
}
